"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`.

Two pools run it (README, Deploying). The web pool has GUNICORN_THREADS
threads a worker (5 by default): a search waits 50-300 ms on the job
sites, and threads wait side by side, so they bound how many searches a
worker serves at once; WEB_CONCURRENCY should be about two workers a core.
The threads of one worker share one interpreter lock, and handing it over
costs CPU: bench/api_load.sh (two cores kept busy by 20 clients, sites at
50 ms) measured, alternating in one stretch, 2 workers of 8 threads at 83
and 87 searches a second (p50 210-223 ms, p99 0.46-0.48 s, 15-16 ms of our
CPU a search) and 4 of 5 at 112 and 112 (p50 138-159 ms, p99 0.39-0.40 s,
12.7-13.2 ms); 6 of 4 and 8 of 3 did no better than 4 of 5. Every thread
keeps a database connection (DATABASE_CONN_MAX_AGE): a machine holds
WEB_CONCURRENCY x GUNICORN_THREADS of them; the site calls of its searches
run in JOBSITE_SEARCH_THREADS more threads a worker.

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
threads = int(os.environ.get("GUNICORN_THREADS", "5"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
