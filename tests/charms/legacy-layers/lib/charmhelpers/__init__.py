# charmhelpers as a charm packs it in lib/ (written for these tests in its shape, only
# the parts this charm uses). reactops replaces core.hookenv and core.unitdata with its
# own and leaves every other module to this copy.
