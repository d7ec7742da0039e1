# Loaded last when APP_ENV is 'development'. No secrets: this file is tracked.
DEBUG = True
