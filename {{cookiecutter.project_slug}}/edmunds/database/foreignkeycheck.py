from edmunds.config.configurationerror import ConfigurationError
from edmunds.database.db import db


def check_foreign_keys(manager):
    """Refuse a foreign key whose target no table of its instance defines.

    SQLAlchemy finds out only when a query or `db migrate` first needs the
    key, and then says so in a long traceback. A key may only point at a
    table of its own database instance: no engine enforces one across two.
    """
    metadatas = {
        bind_key: metadata
        for bind_key, metadata in db.metadatas.items()
        if bind_key is None or bind_key in manager.drivers
    }
    home = {}
    for bind_key, metadata in metadatas.items():
        for key in metadata.tables:
            home.setdefault(key, manager.instance_name(bind_key))
    for bind_key, metadata in metadatas.items():
        instance = manager.instance_name(bind_key)
        for table in metadata.tables.values():
            # Column by column: the first mistake in the file is named first.
            for column in table.columns:
                for foreign_key in sorted(
                    column.foreign_keys, key=lambda key: key.target_fullname
                ):
                    problem = _problem(foreign_key, metadata, instance, home)
                    if problem:
                        raise ConfigurationError(
                            f"{_owner(table)} column {column.name!r} has a foreign "
                            f"key to {foreign_key.target_fullname!r}, {problem}"
                        )


def _problem(foreign_key, metadata, instance, home):
    schema, table_name, column_name = foreign_key._column_tokens
    key = f"{schema}.{table_name}" if schema else table_name
    if key in metadata.tables:
        if column_name in metadata.tables[key].c:
            return None
        return (
            f"but table {key!r} has no column {column_name!r}: fix the "
            "ForeignKey or add the column"
        )
    if key in home:
        return (
            f"but {key!r} lives on database instance {home[key]!r}, not "
            f"{instance!r}: a foreign key cannot cross instances; give both the "
            "same __bind_key__ (bind_key= for a table)"
        )
    known = ", ".join(sorted(metadata.tables)) or "none"
    return (
        f"but no model or table on database instance {instance!r} defines a "
        f"table {key!r} (its tables: {known}): fix the ForeignKey or the "
        "target's __tablename__, and list the target in modelsandtables"
    )


def _owner(table):
    for mapper in db.Model.registry.mappers:
        if mapper.local_table is table:
            return f"model {mapper.class_.__name__} (table {table.name!r})"
    return f"table {table.name!r}"
