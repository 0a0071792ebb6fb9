import record
from charms.reactive import when


@when('db.available', 'app.published')
def published(db):
    record.ran(','.join(sorted(r.to_publish_raw.get('by-action', '-') for r in db.relations)))
