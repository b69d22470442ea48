import pytest

from r1ci.sandbox import LocalSandbox


@pytest.fixture(scope="module")
def sandbox():
    with LocalSandbox(workers=2) as sb:
        yield sb
