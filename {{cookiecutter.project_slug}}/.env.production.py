# Loaded last when APP_ENV is 'production'. No secrets: this file is tracked;
# SECRET_KEY and credentials come from .env.py or the environment.
DEBUG = False
TESTING = False
