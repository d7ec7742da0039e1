"""The fixtures' promise: each test starts on empty tables."""

import pytest
from sqlalchemy import func, select

from app.database.models.user import User
from tests.factories import TagFactory, UserFactory


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_on_empty_tables(database, run):
    # Whichever run comes second would see the first one's rows.
    assert database.session.scalar(select(func.count()).select_from(User)) == 0
    UserFactory(tags=[TagFactory(name=f"tag {run}")])
    database.session.commit()


@pytest.mark.parametrize("run", [1, 2])
def test_each_api_test_starts_on_empty_tables(client, run):
    # But for the client's own user, the tester.
    assert client.get("/api/users").get_json()["total"] == 1
    assert client.post("/api/users", json={"name": f"run {run}"}).status_code == 201
