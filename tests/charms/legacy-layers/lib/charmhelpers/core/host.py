# The packed copy's host helpers (two of them). With charmhelpers packed, this copy is
# charmhelpers.core.host, not reactops' stand-in.
import hashlib
import os


def file_hash(path, hash_type='md5'):
    if not os.path.exists(path):
        return None
    digest = getattr(hashlib, hash_type)()
    with open(path, 'rb') as f:
        digest.update(f.read())
    return digest.hexdigest()


def write_file(path, content, perms=0o444):
    if isinstance(content, str):
        content = content.encode('utf-8')
    with open(path, 'wb') as target:
        os.fchmod(target.fileno(), perms)
        target.write(content)
