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

A worker takes no more connections than it has threads, so one whose
threads are all busy leaves the next connection to a worker with a free
thread. Otherwise the kernel hands every worker its share of connections
whatever its load (wrk's 20 kept-alive connections sat 9 on one worker of
four, 3 on another), and a busy worker queues requests behind its own while
another idles. Connections are therefore not kept alive: the balancer in
front keeps its clients' and opens one to us per request. bench/api_load.sh,
alternating in one stretch: 135 and 143 searches a second, p99 234 and 212
ms, against 130 and 130, p99 317 and 320 ms with keep-alive and a thousand
connections a worker.

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
# gthread only (see above); sync workers (GUNICORN_THREADS=1) take one at a time.
worker_connections = threads
keepalive = 0
