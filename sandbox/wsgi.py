"""The emulators' WSGI application for load benchmarks: the project's, with
memoized search answers served in front of Django (`sandbox.memo.MemoFront`).

    SANDBOX_MEMO_SEARCH=true gunicorn -c config/gunicorn.py sandbox.wsgi

Without SANDBOX_MEMO_SEARCH it is the project's application unchanged.
"""

from config.wsgi import application as project
from sandbox.memo import MemoFront

application = MemoFront(project)
