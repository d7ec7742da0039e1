from app.database.seeders.adminseeder import AdminSeeder
from app.database.seeders.sampleseeder import SampleSeeder
from edmunds.database.seeding.seeder import Seeder


class DatabaseSeeder(Seeder):
    """What `python manage.py db seed` runs: it calls the other seeders."""

    def run(self):
        self.call(AdminSeeder, SampleSeeder)
