"""A chain of 150 handlers, each running one iteration after the previous one: step{i}
sets f{i+1}. charms.reactive stops after its 100th iteration, silently."""

# The handlers below are generated: these names are used by the generated source.
from charms.reactive import set_flag, when, when_not  # noqa: F401
from record import ran  # noqa: F401

LENGTH = 150
TEMPLATE = """
@when('f{i}')
@when_not('f{j}')
def step{i}():
    ran()
    set_flag('f{j}')
"""

for _i in range(LENGTH):
    # Each handler gets its own code object at its own line: charms.reactive keys
    # handlers by code location.
    exec(compile('\n' * _i * 8 + TEMPLATE.format(i=_i, j=_i + 1), __file__, 'exec'))
