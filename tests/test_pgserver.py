"""The throw-away server the team-mode tests run against is a real PostgreSQL."""

from __future__ import annotations


def test_cluster_answers_with_password_and_refuses_a_wrong_one(pg_server):
    import psycopg

    with psycopg.connect(pg_server.url()) as con:
        version = con.execute("SHOW server_version_num").fetchone()[0]
    assert int(version) >= 120000
    try:
        psycopg.connect(pg_server.url(password="wrong"))
    except psycopg.OperationalError as e:
        assert "password" in str(e)
    else:
        raise AssertionError("a wrong password was accepted")


def test_createdb_gives_an_empty_database(pg_server):
    import psycopg

    url = pg_server.createdb("pgserver_selftest")
    with psycopg.connect(url) as con:
        n = con.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert n == 0
