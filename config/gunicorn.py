"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`.

Two pools run it (README, Deploying). The web pool has GUNICORN_THREADS
threads a worker (8 by default): a search waits 50-300 ms on the job
sites, and threads wait side by side, so they bound how many searches a
worker serves at once. bench/api_load.sh (two cores kept busy by 20
clients, sites at 50 ms) measured 2 workers of 4 threads at 63 searches a
second, p50 370 ms, p99 0.7 s; of 8 threads at 69-77 a second, p50 240-285
ms, p99 1.1-1.8 s (a busy worker shares its interpreter lock among more
searches); of 16 at 66 a second. Every thread keeps a database connection
(DATABASE_CONN_MAX_AGE): a machine holds WEB_CONCURRENCY x GUNICORN_THREADS
of them; the site calls of its searches run in JOBSITE_SEARCH_THREADS more
threads a worker.

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
