# The packed copy's hookenv. reactops replaces it (the charm's code must share reactops'
# model), so importing this file means the shim let the packed copy through.
raise ImportError('the packed charmhelpers.core.hookenv was imported: reactops must '
                  'replace it with reactops.legacy.hookenv')
