"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`.

Two pools run it (README, Deploying). The web pool has GUNICORN_THREADS
threads a worker (8 by default): a search waits 50-300 ms on the job
sites, and threads wait side by side. bench/api_load.sh measured 2 workers
of 4, 8 and 16 threads on two cores: 58, 77-86 and 66 searches a second
(with 16, the threads of a worker mostly wait for its interpreter lock).
Every thread keeps a database connection (DATABASE_CONN_MAX_AGE): a
machine holds WEB_CONCURRENCY x GUNICORN_THREADS of them.

The public pool, where the load balancer sends `/freelancers/`, runs with
GUNICORN_THREADS=1 (gunicorn's sync workers): its pages are CPU work, and
the threads of one process share one interpreter lock, so next to other
threads a catalogue page that missed the cache took several times longer,
and queued the requests behind it (bench/catalogue.sh measures the public
pool).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
