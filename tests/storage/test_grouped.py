"""Group commit: every caller returns once its row is committed; a burst costs a few transactions."""

import asyncio

from bot.storage.grouped import GroupedWriter


class Store:
    def __init__(self, fail_on: str | None = None):
        self.committed: list[str] = []
        self.batches: list[list[str]] = []
        self.fail_on = fail_on

    def write_many(self, rows):
        if self.fail_on in rows:
            raise RuntimeError("database down")
        self.batches.append(list(rows))
        self.committed += rows


async def test_a_burst_is_written_in_a_few_batches_and_each_caller_waits_for_its_own():
    store = Store()
    writer = GroupedWriter(store.write_many)

    async def save(row: str) -> bool:
        await writer.write(row)
        return row in store.committed  # committed by the time the caller goes on

    assert all(await asyncio.gather(*(save(f"r{i}") for i in range(200))))
    assert sorted(store.committed) == sorted(f"r{i}" for i in range(200))
    assert len(store.batches) < 10


async def test_a_failed_batch_raises_in_each_of_its_callers_and_the_writer_goes_on():
    store = Store(fail_on="bad")
    writer = GroupedWriter(store.write_many)
    results = await asyncio.gather(writer.write("ok1"), writer.write("bad"), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)  # one transaction: neither row was saved
    assert store.committed == []
    await writer.write("later")
    assert store.committed == ["later"]


async def test_one_row_alone_is_written_at_once():
    store = Store()
    await asyncio.wait_for(GroupedWriter(store.write_many).write("solo"), 1)
    assert store.batches == [["solo"]]

