from edmunds.database.db import db

# Which tag each user has. Deleting a user or a tag deletes its links.
UserTags = db.Table(
    "user_tags",
    db.Column(
        "user_id",
        db.Integer,
        db.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    db.Column(
        "tag_id",
        db.Integer,
        db.ForeignKey("tags.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    # The database instance it lives on, the one of User and Tag.
    bind_key={{ '"users_database"' if cookiecutter.users_database != "none" else "None" }},
)
