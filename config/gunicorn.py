"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi`.

Two pools run it (README, Deploying). The web pool has GUNICORN_THREADS
threads a worker: a search waits 50-300 ms on the job sites, and threads
wait side by side. The public pool, where the load balancer sends
`/freelancers/`, runs with GUNICORN_THREADS=1 (gunicorn's sync workers):
its pages are CPU work, and the threads of one process share one
interpreter lock, so next to three other threads a catalogue page that
missed the cache took several times longer, and queued the requests behind
it (bench/catalogue.sh measures the public pool).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
accesslog = "-"
