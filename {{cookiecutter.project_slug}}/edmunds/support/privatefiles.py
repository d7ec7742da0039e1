"""Files that hold secrets or data are for their owner alone.

POSIX permissions only: elsewhere (Windows) these do nothing.
"""

import os
import stat

from edmunds.config.configurationerror import ConfigurationError

# What others may not have on a private file: anything (0600 at most). A
# file root owns may be readable by its group (root:app, 0640), the way
# PostgreSQL accepts its key files: the app runs as a member of the group.
NOT_FOR_OTHERS = 0o077
NOT_FOR_OTHERS_OF_ROOT = 0o037


def refuse_a_shared_secret_file(path):
    """Stop when users other than the owner may read or change ``path``, or
    when the owner is neither the user running the app nor root.

    As ssh does with a private key, the file is refused, not repaired: a
    secret others could read must be replaced as well as hidden, and a
    Python file others can write runs their code in this app. Its owner can
    always write it (chmod is theirs), so it must be the app's own user, or
    root, who owns everything the app runs anyway.
    """
    if os.name != "posix":
        return
    info = os.stat(path)
    if info.st_uid not in (0, os.geteuid()):
        owner, me = _user_name(info.st_uid), _user_name(os.geteuid())
        allowed = "root" if os.geteuid() == 0 else f"{me}, who runs the app, or root"
        raise ConfigurationError(
            f"{path} belongs to {owner}, who could change the code it runs in "
            f"this app: it must belong to {allowed} (as root: chown {me} {path})"
        )
    forbidden = NOT_FOR_OTHERS_OF_ROOT if info.st_uid == 0 else NOT_FOR_OTHERS
    if info.st_mode & forbidden:
        mode = stat.S_IMODE(info.st_mode)
        raise ConfigurationError(
            f"{path} can be read or changed by other users (mode {mode:o}) and "
            f"holds this app's secrets: run chmod 600 {path} (and change the "
            "secrets if others may have read them)"
        )


def _user_name(uid):
    import pwd  # POSIX only

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid no account has (a file from another machine)
        return f"uid {uid}"


def make_private_file(path):
    """Create ``path`` empty with mode 0600, or take others' rights away.

    Created by us, never by the library that writes it, so that no umask
    ever lets it appear readable by others, not even for a moment.
    """
    if os.name != "posix":
        return
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _take_others_rights(path, 0o600)
    else:
        try:
            os.fchmod(descriptor, 0o600)  # the umask may have taken more away
        finally:
            os.close(descriptor)


def make_private_folder(path, inside):
    """Make ``path`` and the folders up to it the owner's alone (0700).

    Every folder made here is 0700, whatever the umask. Of the folders that
    exist, only those below ``inside`` (the app's storage folder) are
    tightened: ``inside`` itself, and anything above or outside it, is not
    the app's to change.
    """
    path, inside = os.path.abspath(path), os.path.abspath(inside)
    missing = []
    while not os.path.isdir(path) and os.path.dirname(path) != path:
        missing.append(path)
        path = os.path.dirname(path)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, 0o700)
        except FileExistsError:  # another process (a worker) made it first
            continue
        if os.name == "posix":
            os.chmod(folder, 0o700)  # the umask may have taken more away
    if os.name != "posix":
        return
    path = missing[0] if missing else path
    if os.path.commonpath([path, inside]) != inside:
        return
    while path != inside:
        _take_others_rights(path, 0o700)
        path = os.path.dirname(path)


def _take_others_rights(path, mode):
    info = os.stat(path)
    # Only the owner may change a mode; a folder or file someone else made
    # for this app (a volume, a shared folder) is theirs to set.
    if info.st_uid == os.geteuid() and info.st_mode & NOT_FOR_OTHERS:
        os.chmod(path, mode)
