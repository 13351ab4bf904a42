"""The statistics the database plans queries from, renewed by migrations that add an index."""


def analyze(schema_editor, table: str) -> None:
    """Statistics for a table's new index, where the database keeps them for the others:
    without them SQLite may choose the new index where it is the worst (a country's open
    deadlines read through every country's commitments: 162 ms, against 0.1 ms)."""
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return  # no statistics for any table: the index is chosen without them
    schema_editor.execute(f"ANALYZE {schema_editor.quote_name(table)}")
