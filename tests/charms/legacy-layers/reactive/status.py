# layer-status' handler module: it only starts the library, reaching it as an attribute
# of charms.layer without importing charms.layer.status itself.
from charms import layer

layer.status._initialize()
