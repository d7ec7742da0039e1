class Seeder:
    """Writes rows into the database: Laravel's seeders, on Flask-SQLAlchemy.

    Subclass it and implement ``run``. ``python manage.py db seed`` runs
    ``app/database/seeders/databaseseeder.py``'s ``DatabaseSeeder``, which
    calls the others with ``self.call(...)``; ``--class NAME`` runs one.
    Seeders add to ``db.session`` (directly or through factories) and
    leave committing to the command: a failing seeder writes nothing.
    """

    def __init__(self, app):
        self.app = app

    def run(self):
        raise NotImplementedError(f"{type(self).__name__} must implement run()")

    def call(self, *seeders):
        for seeder in seeders:
            seeder(self.app).run()
