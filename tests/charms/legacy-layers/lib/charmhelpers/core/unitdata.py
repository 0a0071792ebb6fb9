# The packed copy's unitdata. reactops replaces it (flags and kv share its state store),
# so importing this file means the shim let the packed copy through.
raise ImportError('the packed charmhelpers.core.unitdata was imported: reactops must '
                  'replace it with reactops.legacy.unitdata')
