# Users, roles and tokens: Flask-Security's settings (SECURITY_*), read by
# edmunds/auth/. APP["auth"] in config/app.py names the models.
import datetime

# How long a token from POST /api/auth/login lasts.
SECURITY_TOKEN_MAX_AGE = datetime.timedelta(days=1)

# Passwords are hashed with argon2, salted by argon2 itself: no second,
# application-wide salt to keep secret, so a new SECRET_KEY ends every token
# and no password.
SECURITY_PASSWORD_HASH = "argon2"
SECURITY_PASSWORD_SINGLE_HASH = True
# argon2id at OWASP's first setting (19 MiB, 2 passes, 1 lane): about a
# tenth of a second, and 19 MiB, per login. argon2-cffi's default asks 64 MiB
# of each of a worker's 32 threads (gunicorn.conf.py) that logs in at once.
SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS = {
    "argon2__memory_cost": 19456,
    "argon2__rounds": 2,
    "argon2__parallelism": 1,
}
# The shortest password `manage.py auth` takes.
SECURITY_PASSWORD_LENGTH_MIN = 12

# Wrong passwords: after AUTH_THROTTLE_ATTEMPTS for one email, or
# AUTH_THROTTLE_ADDRESS_ATTEMPTS from one address, within
# AUTH_THROTTLE_WINDOW, the login answers 429 until the oldest has left the
# window. Counted in the database, so every worker and replica sees the
# same count. Behind a proxy, every login comes from its address unless
# PROXIES says how many there are (config/api.py).
AUTH_THROTTLE_ATTEMPTS = 5
AUTH_THROTTLE_ADDRESS_ATTEMPTS = 20
AUTH_THROTTLE_WINDOW = datetime.timedelta(minutes=15)
