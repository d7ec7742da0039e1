from edmunds.database.db import db

# Which role each user has. Deleting a user or a role deletes its links.
UserRoles = db.Table(
    "user_roles",
    db.Column(
        "user_id",
        db.Integer,
        db.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    db.Column(
        "role_id",
        db.Integer,
        db.ForeignKey("roles.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The database instance it lives on, the one of User and Role.
    bind_key={{ '"users_database"' if cookiecutter.users_database != "none" else "None" }},
)
