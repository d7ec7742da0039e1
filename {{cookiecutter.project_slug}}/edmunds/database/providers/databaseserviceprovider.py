from edmunds.database.databasemanager import DatabaseManager
from edmunds.database.db import db
from edmunds.support.serviceprovider import ServiceProvider


class DatabaseServiceProvider(ServiceProvider):
    """Sets up the database instances when ``APP['database']['enabled']``."""

    def register(self):
        if not self.app.config("app.database.enabled", False):
            return
        manager = DatabaseManager(self.app)
        self.app.config.update(manager.flask_sqlalchemy_config())
        db.init_app(self.app)
        manager.take_engines()
        self.app.extensions["edmunds.database"] = manager
        self.app.teardown_appcontext(manager.remove_sessions)
