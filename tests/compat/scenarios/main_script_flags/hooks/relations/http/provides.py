from charms.reactive import Endpoint


class HttpProvides(Endpoint):
    def configure(self, port):
        for relation in self.relations:
            relation.to_publish_raw['port'] = str(port)
