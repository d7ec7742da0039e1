<%!
import re

%><%
    from flask import current_app
    db_names = [''] + list(current_app.config.get('SQLALCHEMY_BINDS') or {})
%>"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade(engine_name):
    # A database instance added after this revision has nothing to do here.
    globals().get("upgrade_%s" % engine_name, lambda: None)()


def downgrade(engine_name):
    globals().get("downgrade_%s" % engine_name, lambda: None)()
## an "upgrade_<name>() / downgrade_<name>()" pair per database instance
% for db_name in db_names:


def upgrade_${db_name}():
    ${context.get("%s_upgrades" % db_name, "pass")}


def downgrade_${db_name}():
    ${context.get("%s_downgrades" % db_name, "pass")}
% endfor
