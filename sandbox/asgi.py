"""The emulators' ASGI application for load benchmarks: the project's, with
memoized search answers served in front of Django (`sandbox.memo.MemoFront`).

    SANDBOX_MEMO_SEARCH=true uvicorn sandbox.asgi:application --loop uvloop --http httptools

Without SANDBOX_MEMO_SEARCH it is the project's application unchanged.
"""

from config.asgi import application as project
from sandbox.memo import MemoFront

application = MemoFront(project)
