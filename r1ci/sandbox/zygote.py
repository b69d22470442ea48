"""The inside of the local sandbox: a pre-warmed interpreter that forks one fresh, isolated worker per script.

This file runs inside bubblewrap as `python -I -S -c <this source> <config json>` (see local.py), so it
imports nothing but the standard library and the modules it is told to preload. It talks to the host over
one socket (`control_fd` in the config): 4-byte big-endian length + JSON frames.

    bwrap ── fork server (root of its own user namespace, pid 1 of its own pid namespace; pre-loaded)
               ├─ dispatcher (the event loop: host socket, job hand-out, output capture, deadlines)
               └─ worker     (pid 1 of a fresh pid namespace; own user, mount and IPC namespaces; private
                  │           tmpfs /tmp and /dev/shm; /proc hidden; no capabilities; seccomp; rlimits)
                  └─ whatever the script starts: all of it dies with the worker

Workers are forked ahead of demand by a fork server that never blocks the dispatcher, so a script's
latency is one pipe write, the script, one pipe read. Forking is the only way to give every script a fresh
interpreter state that nothing before it could have poisoned (builtins, globals, cwd, module state).
Killing a worker, pid 1 of its namespace, kills its whole tree.

A session's worker runs no script itself: it forks one interpreter that runs the session's calls and keeps
its state, and between calls it stops every other process of its namespace (see `supervise`).

The script shares its process with the runner, so it can write to the worker's status pipe: the dispatcher
takes from it only frames of a few bytes in the exact shape it expects next, and ends the script otherwise.
"""

import atexit
import builtins
import ctypes
import gc
import json
import linecache
import math
import os
import random
import resource
import select
import selectors
import shutil
import signal
import socket
import struct
import sys
import time
import traceback
import types
from collections import deque

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x08000000, 0x10000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 1, 38, 22, 2
SCRIPT_UID = 1000  # what the script sees as its uid and gid; it holds no capability
READ_CHUNK = 1 << 16
# Files, directories and links per private tmpfs: each pins ~1 KiB of kernel memory that its size does not count.
TMPFS_INODES = 16384
# Between a session's calls, its supervisor stops every process of the session again this often, in case
# something the seccomp filter does not foresee woke one (see `supervise`).
RESTOP_SECONDS = 0.05
STATUS_MAX = 4096  # the largest frame a worker's status pipe may carry; its frames are a few dozen bytes
EVENT = "<ciid"  # fork server -> dispatcher: b"S"pawned (fds attached) or e"X"ited, pid, wait status, CPU s
CPU_EXIT = 128 + signal.SIGXCPU
TAMPERED = b"\n[sandbox: the script wrote to the sandbox's own status channel, so it was killed]\n"

libc = ctypes.CDLL(None, use_errno=True)


def check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def write_file(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def new_user_namespace(flags: int, uid: int) -> None:
    """unshare a user namespace (plus `flags`) and map our uid and gid to `uid` inside it."""
    outer_uid, outer_gid = os.getuid(), os.getgid()
    check(libc.unshare(CLONE_NEWUSER | flags), "unshare")
    write_file("/proc/self/setgroups", "deny")
    write_file("/proc/self/uid_map", f"{uid} {outer_uid} 1")
    write_file("/proc/self/gid_map", f"{uid} {outer_gid} 1")


# --- seccomp: the syscalls a script never needs and that would let it widen its own sandbox -------------
# (new namespaces or mounts, other processes' memory or descriptors, kernel keyrings, BPF, io_uring,
# modules), hold kernel memory that no limit counts (memfd files, SysV shared memory, message queues and
# semaphore sets, POSIX message queues, extended attributes on its tmpfs files), or wake a stopped process
# (see `supervise`: a timer that sends SIGCONT, a parent-death signal, an I/O signal of the script's choosing,
# a new session or process group that the kernel would send SIGCONT when it is orphaned).
# clone3 gets ENOSYS so that libc falls back to clone, whose flags a classic filter can inspect.
DENIED = {  # name: (x86_64, aarch64)
    "unshare": (272, 97), "setns": (308, 268), "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41),
    "chroot": (161, 51), "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "keyctl": (250, 219), "add_key": (248, 217), "request_key": (249, 218), "bpf": (321, 280),
    "perf_event_open": (298, 241), "userfaultfd": (323, 282), "kexec_load": (246, 104),
    "init_module": (175, 105), "finit_module": (313, 273), "delete_module": (176, 106),
    "open_by_handle_at": (304, 265), "name_to_handle_at": (303, 264), "open_tree": (428, 428),
    "move_mount": (429, 429), "fsopen": (430, 430), "fsconfig": (431, 431), "fsmount": (432, 432),
    "fspick": (433, 433), "mount_setattr": (442, 442), "io_uring_setup": (425, 425), "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427), "swapon": (167, 224), "swapoff": (168, 225), "reboot": (169, 142),
    "syslog": (103, 116), "acct": (163, 89), "pidfd_getfd": (438, 438), "memfd_create": (319, 279),
    "memfd_secret": (447, 447), "shmget": (29, 194), "msgget": (68, 186), "semget": (64, 190),
    "mq_open": (240, 180), "timer_create": (222, 107),
}
UNSUPPORTED = {"setxattr": (188, 5), "lsetxattr": (189, 6), "fsetxattr": (190, 7), "setxattrat": (463, 463)}
# Calls that succeed without effect: every process of a script stays in its worker's one session and process
# group (no terminal, so job control means nothing here; `subprocess.Popen(start_new_session=True)` works).
IGNORED = {"setsid": (112, 157), "setpgid": (109, 154)}
# Calls refused for one value of one argument: (x86_64, aarch64), argument index, refused value.
DENIED_ARGUMENTS = {"prctl": ((157, 167), 0, 1),   # PR_SET_PDEATHSIG
                    "fcntl": ((72, 25), 1, 10)}    # F_SETSIG
CLONE, CLONE3 = (56, 220), (435, 435)
AUDIT_ARCH = {"x86_64": (0xC000003E, 0), "aarch64": (0xC00000B7, 1)}
NAMESPACE_FLAGS = 0x7E020080  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWTIME
EPERM, ENOSYS, EOPNOTSUPP = 1, 38, 95


def seccomp_program() -> bytes:
    arch = os.uname().machine
    if arch not in AUDIT_ARCH:
        raise OSError(f"no seccomp filter for architecture {arch}")
    audit_arch, col = AUDIT_ARCH[arch]
    ld, jeq, jset, jge, ret = 0x20, 0x15, 0x45, 0x35, 0x06
    allow, kill = 0x7FFF0000, 0x80000000

    def errno(e):
        return 0x00050000 | e

    prog = [(ld, 0, 0, 4), (jeq, 1, 0, audit_arch), (ret, 0, 0, kill), (ld, 0, 0, 0)]
    if arch == "x86_64":
        prog += [(jge, 0, 1, 0x40000000), (ret, 0, 0, errno(EPERM))]  # the x32 ABI
    for numbers in DENIED.values():
        prog += [(jeq, 0, 1, numbers[col]), (ret, 0, 0, errno(EPERM))]
    for numbers in UNSUPPORTED.values():
        prog += [(jeq, 0, 1, numbers[col]), (ret, 0, 0, errno(EOPNOTSUPP))]
    for numbers in IGNORED.values():
        prog += [(jeq, 0, 1, numbers[col]), (ret, 0, 0, errno(0))]
    prog += [(jeq, 0, 1, CLONE3[col]), (ret, 0, 0, errno(ENOSYS))]
    for numbers, arg, value in DENIED_ARGUMENTS.values():  # the call's own rule decides: allow, or refuse
        prog += [(jeq, 0, 4, numbers[col]), (ld, 0, 0, 16 + 8 * arg), (jeq, 0, 1, value),
                 (ret, 0, 0, errno(EPERM)), (ret, 0, 0, allow)]
    prog += [(jeq, 0, 3, CLONE[col]), (ld, 0, 0, 16), (jset, 0, 1, NAMESPACE_FLAGS), (ret, 0, 0, errno(EPERM))]
    prog += [(ret, 0, 0, allow)]
    return b"".join(struct.pack("HBBI", *insn) for insn in prog)


class Lockdown:
    """Capability drop and seccomp filter, built once in the fork server so that each worker only applies them."""

    def __init__(self):
        class SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

        program = seccomp_program()
        self.filter = ctypes.create_string_buffer(program)
        self.fprog = SockFprog(len(program) // 8, ctypes.addressof(self.filter))
        self.cap_header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
        self.cap_data = (ctypes.c_uint32 * 6)()
        self.capset = 126 if os.uname().machine == "x86_64" else 91

    def apply(self) -> None:
        check(libc.syscall(self.capset, self.cap_header, self.cap_data), "capset")
        check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(self.fprog), 0, 0), "seccomp")


# --- framing ---------------------------------------------------------------------------------------------

def encode_frame(obj) -> bytes:
    body = json.dumps(obj).encode()
    return struct.pack(">I", len(body)) + body


def send_frame(fd: int, obj) -> None:
    data = memoryview(encode_frame(obj))
    while data:
        n = os.write(fd, data)
        data = data[n:]


def read_exact(fd: int, n: int) -> bytes | None:
    parts, left = [], n
    while left:
        chunk = os.read(fd, left)
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def recv_raw(fd: int) -> bytes | None:
    """One whole frame, header included, unparsed."""
    head = read_exact(fd, 4)
    if head is None:
        return None
    body = read_exact(fd, struct.unpack(">I", head)[0])
    return None if body is None else head + body


def recv_frame(fd: int):
    frame = recv_raw(fd)
    return None if frame is None else json.loads(frame[4:])


def write_some(fd: int, data: bytes) -> bytes:
    """Write what a non-blocking pipe takes now and return the rest: nothing, if its reader is gone."""
    try:
        return data[os.write(fd, data):]
    except BlockingIOError:
        return data
    except OSError:
        return b""  # the worker died before it read everything: its exit reports it


class FrameReader:
    """Frames from a non-blocking fd, fed as bytes arrive; a body that does not parse comes out as None.
    With a `limit`, a header announcing more raises ValueError at once, instead of waiting for that body."""

    def __init__(self, limit: int | None = None):
        self.buf = bytearray()
        self.limit = limit

    def feed(self, data: bytes) -> list:
        self.buf += data
        frames = []
        while len(self.buf) >= 4:
            size = struct.unpack(">I", self.buf[:4])[0]
            if self.limit is not None and size > self.limit:
                raise ValueError(f"a frame of {size} bytes")
            if len(self.buf) < 4 + size:
                break
            body, self.buf = bytes(self.buf[4:4 + size]), self.buf[4 + size:]
            try:
                frames.append(json.loads(body))
            except (ValueError, RecursionError):  # RecursionError: e.g. thousands of nested brackets
                frames.append(None)
        return frames


def is_exit(frame) -> bool:
    """{"exit": status 0-255, "memory": bool}: how a call ended, from its runner."""
    return (isinstance(frame, dict) and frame.keys() == {"exit", "memory"} and type(frame["exit"]) is int
            and 0 <= frame["exit"] <= 255 and type(frame["memory"]) is bool)


def is_death(frame) -> bool:
    """{"died": wait status, "cpu": seconds}: the interpreter running a call died, from its supervisor."""
    return (isinstance(frame, dict) and frame.keys() == {"died", "cpu"} and type(frame["died"]) is int
            and 0 <= frame["died"] < 1 << 16 and type(frame["cpu"]) in (int, float)
            and 0 <= frame["cpu"] < math.inf)


# --- the worker: one script (or one session) in a fresh fork ---------------------------------------------

def worker_main(cfg: dict, lockdown: Lockdown | None, base_vm: int, job_fd: int, status_fd: int, out_fd: int,
                err_fd: int) -> None:
    """Never returns. Isolate, wait for a job, run it, report, exit (or wait for the next, in a session)."""
    try:
        devnull = os.open("/dev/null", os.O_RDONLY)
        for src, dst in ((devnull, 0), (out_fd, 1), (err_fd, 2)):
            os.dup2(src, dst)
        keep = {0, 1, 2, job_fd, status_fd}
        for fd in range(3, max(keep) + 1):
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.closerange(max(keep) + 1, 1 << 16)
        # The fork server's SIGCHLD wake-up would write into whatever file the script opens at its old fd.
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
        # As pid 1 of its namespace the worker would ignore SIGXCPU's default action; make it fatal again.
        signal.signal(signal.SIGXCPU, lambda *_: os._exit(CPU_EXIT))
        os.setsid()  # a process group of its own: kill(0, ...) reaches across pid namespaces
        if cfg["isolate"]:
            new_user_namespace(CLONE_NEWNS | CLONE_NEWIPC, SCRIPT_UID)
            tmp = f"size={cfg['tmp_mb']}m,nr_inodes={TMPFS_INODES},mode=1777".encode()
            check(libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, tmp), "mount /tmp")
            if os.path.isdir("/dev/shm"):
                check(libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, tmp), "mount /dev/shm")
            check(libc.mount(b"tmpfs", b"/proc", b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                             b"size=4k,mode=555"), "hide /proc")
            lockdown.apply()
            os.chdir("/tmp")
        else:  # insecure mode: a private directory and a process group, nothing more
            private = os.path.join(cfg["workdir"], str(os.getpid()))
            os.mkdir(private, 0o700)
            os.chdir(private)
            os.environ["TMPDIR"] = os.environ["HOME"] = private
        send_frame(status_fd, {"ready": True})
    except BaseException as exc:  # the host reports this as a sandbox failure, with the reason
        try:
            send_frame(status_fd, {"setup_error": f"{type(exc).__name__}: {exc}"[:STATUS_MAX // 2]})
        finally:
            os._exit(71)
    code = 0
    try:
        if cfg["isolate"]:
            # The worker is pid 1 of its namespace, and pid 1 cannot kill itself (a SIGKILL or SIGTERM it sends
            # itself is dropped), so every script runs in a child, forked now, ahead of its job.
            supervise(None, job_fd, status_fd, base_vm, True)
        else:
            job = recv_frame(job_fd)
            if job is not None and job.get("session"):
                supervise(job, job_fd, status_fd, base_vm, False)
            elif job is not None:
                run_calls(job, None, status_fd, base_vm)
    except BaseException:
        code = 70
    finally:
        os._exit(code)


def run_calls(job: dict, job_fd: int | None, status_fd: int, base_vm: int) -> None:
    """Run `job`, then, in a session's interpreter (`job_fd` given), each next one, all in one __main__."""
    cpu_hard, main, stdin_path = None, None, os.path.abspath(".stdin")  # a call may chdir; this stays private
    while job is not None:
        limits = job["limits"]
        if cpu_hard is None:  # fixed once: a session's calls share one hard CPU budget
            cpu_hard = math.ceil(limits["cpu_time"] * job.get("cpu_calls", 1)) + 2
            memory = (0 if limits["memory_includes_interpreter"] else base_vm) + limits["memory_mb"] * 2**20
            for res, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_NPROC, limits["processes"]),
                               (resource.RLIMIT_FSIZE, limits["file_size_mb"] * 2**20),
                               (resource.RLIMIT_NOFILE, limits["open_files"]), (resource.RLIMIT_CORE, 0)):
                resource.setrlimit(res, (value, value))
        used = resource.getrusage(resource.RUSAGE_SELF)
        used_cpu = used.ru_utime + used.ru_stime
        soft = min(cpu_hard - 1, math.ceil(used_cpu + limits["cpu_time"]))
        resource.setrlimit(resource.RLIMIT_CPU, (soft, cpu_hard))
        stdin = job.get("stdin")
        if stdin:  # an unlinked file in the private /tmp (memfd_create is refused: it escapes the limits)
            fd = os.open(stdin_path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
            os.unlink(stdin_path)
            os.write(fd, stdin.encode())
            os.lseek(fd, 0, os.SEEK_SET)
            os.dup2(fd, 0)
            os.close(fd)
            sys.stdin = open(0, closefd=False)
        for name, content in job.get("files", {}).items():
            with open(name, "w") as f:
                f.write(content)
        reseed()
        if main is None:  # one namespace per worker: a session's calls share it
            main = types.ModuleType("__main__")
            main.__builtins__ = builtins
        exit_code, memory_error = run_script(job["code"], main)
        send_frame(status_fd, {"exit": exit_code, "memory": memory_error})
        job = recv_frame(job_fd) if job_fd is not None else None


def reap():
    """(pid, wait status, CPU seconds) of each child that has exited, without waiting for the others."""
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        yield pid, status, usage.ru_utime + usage.ru_stime


def supervise(job: dict | None, job_fd: int, status_fd: int, base_vm: int, isolate: bool) -> None:
    """Every isolated worker (the script is then not pid 1, so it can kill itself), and an insecure session's.
    It never runs script code: a child interpreter runs the calls (`job` first, if given, else what comes on
    `job_fd`) and keeps a session's state.
    When a call ends, this process (pid 1 of the namespace) stops every other process in it, every thread
    included, before it reports; it resumes them when the next call comes. So nothing a call leaves running
    runs between calls. It must be a process of its own: the script can reach and patch any code in its own.

    Only SIGCONT (or death) ends a stop, and while every process is stopped only the kernel can send one: a
    POSIX timer armed with it, a parent's death (PR_SET_PDEATHSIG), an I/O signal chosen with F_SETSIG, or a
    newly orphaned process group with stopped members (which needs setsid or setpgid). The seccomp filter
    refuses the first three and makes setsid and setpgid do nothing. In case a way nobody foresaw exists,
    this supervisor also stops everything again every RESTOP_SECONDS until the next call: that bounds a
    one-off wake-up, not a periodic one. (A cgroup freezer would need a delegated cgroup v2 hierarchy, which
    machines such as the developers', with cgroup v1, lack.)
    """
    c_job_r, c_job_w = os.pipe()
    c_st_r, c_st_w = os.pipe()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)  # before the fork: the child may die at once
    signal.signal(signal.SIGCHLD, lambda *_: None)
    child = os.fork()
    if child == 0:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in (job_fd, status_fd, c_job_w, c_st_r, wake_r, wake_w):
            os.close(fd)
        code = 0
        try:
            if not isolate:  # isolated, the supervisor is pid 1: its death kills the namespace
                check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
            run_calls(job if job is not None else recv_frame(c_job_r), c_job_r, c_st_w, base_vm)
        except BaseException:
            code = 70
        os._exit(code)
    os.close(c_job_r)
    os.close(c_st_w)
    os.set_blocking(c_st_r, False)
    os.set_blocking(c_job_w, False)

    def freeze(sig: int) -> None:
        if isolate:  # from pid 1, kill(-1) reaches every other process of the namespace (insecure mode: none)
            try:
                os.kill(-1, sig)
            except ProcessLookupError:
                pass

    sel = selectors.DefaultSelector()
    for fd, what in ((job_fd, "job"), (c_st_r, "report"), (wake_r, "exit")):
        sel.register(fd, selectors.EVENT_READ, what)
    reports, to_child, running = FrameReader(STATUS_MAX), b"", job is not None
    stopped = False  # a call has ended and the session's processes are stopped
    while True:
        between_calls = stopped and not running
        events = sel.select(RESTOP_SECONDS if between_calls else None)
        if between_calls:
            freeze(signal.SIGSTOP)
        for key, _ in events:
            if key.data == "exit":
                os.read(wake_r, 4096)
                for pid, status, cpu in reap():  # as pid 1 it reaps the script's orphans too
                    if pid == child:
                        send_frame(status_fd, {"died": status, "cpu": cpu})
                        return
            elif key.data == "report":
                try:
                    data = os.read(c_st_r, READ_CHUNK)
                    frames = reports.feed(data)
                except BlockingIOError:
                    continue
                except ValueError:
                    frames = [None]
                if not data:  # the script closed its end: the call can only time out
                    sel.unregister(c_st_r)
                for frame in frames:
                    if not (running and is_exit(frame)):  # the script wrote there: end the session
                        send_frame(status_fd, {"tampered": True})  # a frame the dispatcher does not expect
                        return
                    freeze(signal.SIGSTOP)
                    running, stopped = False, isolate
                    send_frame(status_fd, frame)
            elif key.data == "job":
                frame = recv_raw(job_fd)
                if frame is None:
                    return  # the session is closed
                freeze(signal.SIGCONT)
                running = True
                to_child += frame
            if key.data in ("job", "write"):  # the child may never read its job: do not block on it
                to_child = write_some(c_job_w, to_child)
                waiting = c_job_w in sel.get_map()
                if to_child and not waiting:
                    sel.register(c_job_w, selectors.EVENT_WRITE, "write")
                elif waiting and not to_child:
                    sel.unregister(c_job_w)


def reseed() -> None:
    """Forks share the zygote's random state; a fresh interpreter would not."""
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()


def run_script(code: str, main: types.ModuleType) -> tuple[int, bool]:
    """Run `code` as `python -c` would, in `main` as `__main__`. Returns (exit code, raised MemoryError)."""
    sys.modules["__main__"] = main
    sys.argv = ["-c"]
    linecache.cache["<string>"] = (len(code), None, code.splitlines(True), "<string>")
    saved_builtins = dict(builtins.__dict__)  # a script may poison them; reporting its result needs them
    stop: BaseException | None = None
    try:
        exec(compile(code, "<string>", "exec"), main.__dict__)
    except BaseException as exc:
        stop = exc
    builtins.__dict__.clear()
    builtins.__dict__.update(saved_builtins)
    exit_code, memory_error = 0, isinstance(stop, MemoryError)
    if stop is None or isinstance(stop, SystemExit):
        exit_code = exit_status(stop) if stop else 0
        at_exit()
    else:
        try:
            if stop.__traceback__ is not None:  # hide this runner's frame, as python -c shows none of its own
                stop.__traceback__ = stop.__traceback__.tb_next
            traceback.print_exception(stop)
        except BaseException:
            pass
        exit_code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    return exit_code, memory_error


def exit_status(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code & 0xFF
    try:
        print(exc.code, file=sys.stderr)
    except BaseException:
        pass
    return 1


def at_exit() -> None:
    """What the interpreter does after the main module: join non-daemon threads, run atexit handlers."""
    try:
        if "threading" in sys.modules:
            sys.modules["threading"]._shutdown()
        atexit._run_exitfuncs()
    except BaseException:
        pass


# --- the zygote's event loop -----------------------------------------------------------------------------

class Capture:
    """Keeps the head and tail of one output stream and counts the rest."""

    def __init__(self, limit: int):
        self.head_limit, self.tail_limit = (limit + 1) // 2, limit // 2
        self.head, self.tail, self.total = bytearray(), bytearray(), 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data and self.tail_limit:
            self.tail += data
            del self.tail[:-self.tail_limit]

    def report(self) -> dict:
        return {"head": self.head.decode(errors="replace"), "tail": self.tail.decode(errors="replace"),
                "total": self.total}


class Worker:
    def __init__(self, pid, job_fd, status_fd, out_fd, err_fd):
        self.pid = pid
        self.job_fd, self.status_fd, self.out_fd, self.err_fd = job_fd, status_fd, out_fd, err_fd
        self.frames = FrameReader(STATUS_MAX)
        self.ready = False       # set up and waiting for a job
        self.job = None          # the job being run
        self.to_worker = b""     # the part of the job its pipe has not taken yet
        self.session = None      # the session id this worker serves, if any
        self.began = 0.0         # when its session began
        self.deadline = None     # its call's timeout; between a session's calls, the session's end
        self.started = 0.0
        self.timed_out = False
        self.tampered = False
        self.out = self.err = None
        self.exited = False
        self.setup_error = None


def fork_server(cfg: dict, sock) -> None:
    """Fork isolated workers on request, hand their pipes to the dispatcher, and report their exits.

    It runs in its own process so that forking (1-3 ms for a large image) never blocks the dispatcher, and
    it stays pristine: it runs no scripts and keeps no per-job state, so every fork is a fresh interpreter.
    """
    pidns = os.open("/proc/self/ns/pid", os.O_RDONLY) if cfg["isolate"] else None
    lockdown = Lockdown() if cfg["isolate"] else None
    with open("/proc/self/statm") as f:  # what a worker starts with; its memory limit comes on top
        base_vm = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ, "request")
    sel.register(wake_r, selectors.EVENT_READ, "exit")
    while True:
        for key, _ in sel.select():
            if key.data == "exit":
                os.read(wake_r, 4096)
                for pid, status, cpu in reap():
                    sock.send(struct.pack(EVENT, b"X", pid, status, cpu))
                continue
            if not sock.recv(16):
                return  # the dispatcher is gone
            job_r, job_w = os.pipe()
            st_r, st_w = os.pipe()
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            if pidns is not None:
                check(libc.unshare(CLONE_NEWPID), "unshare pid")
            pid = os.fork()
            if pid == 0:
                worker_main(cfg, lockdown, base_vm, job_r, st_w, out_w, err_w)
            if pidns is not None:
                check(libc.setns(pidns, CLONE_NEWPID), "setns pid")
            socket.send_fds(sock, [struct.pack(EVENT, b"S", pid, 0, 0.0)], [job_w, st_r, out_r, err_r])
            for fd in (job_r, job_w, st_r, st_w, out_r, out_w, err_r, err_w):
                os.close(fd)


class Dispatcher:
    """The event loop: jobs from the host to ready workers, output and results back, deadlines enforced."""

    def __init__(self, cfg: dict, forks):
        self.cfg, self.forks = cfg, forks
        self.control_fd = cfg["control_fd"]
        self.sel = selectors.DefaultSelector()
        self.sel.register(forks, selectors.EVENT_READ, ("forks", None))
        self.workers: dict[int, Worker] = {}
        self.spawning = 0
        self.queue: deque[dict] = deque()
        self.sessions: dict[str, Worker] = {}
        self.lost: set[str] = set()  # sessions whose worker went away between calls: the next call says so
        self.control = FrameReader()
        self.outbox: list[dict] = []
        self.unsent = b""  # encoded results the host's socket has not taken yet
        self.setup_failure = None

    # workers

    def request_workers(self) -> None:
        """Keep `spares` set-up workers (plus one per queued job) ready or on their way."""
        idle = sum(1 for w in self.workers.values() if w.job is None and w.session is None and not w.exited)
        wanted = self.cfg["spares"] + sum(1 for job in self.queue if not job.get("session") in self.sessions)
        while idle + self.spawning < wanted:
            self.forks.send(b"s")
            self.spawning += 1

    def on_forks(self) -> None:
        data, fds, _, _ = socket.recv_fds(self.forks, 64, 4)
        if not data:
            raise SystemExit(1)  # the fork server died
        kind, pid, status, cpu = struct.unpack(EVENT, data)
        if kind == b"S":
            self.spawning -= 1
            w = Worker(pid, *fds)
            for fd in fds:
                os.set_blocking(fd, False)
            for fd, what in ((w.status_fd, "status"), (w.out_fd, "out"), (w.err_fd, "err")):
                self.sel.register(fd, selectors.EVENT_READ, (what, w))
            self.workers[pid] = w
        elif pid in self.workers:
            self.on_exit(self.workers[pid], status, cpu)

    def idle_worker(self) -> Worker | None:
        for w in self.workers.values():  # the oldest first: it has had the most time to set up
            if w.job is None and w.session is None and not w.exited and w.setup_error is None:
                return w
        return None

    # requests from the host

    def on_control(self) -> None:
        try:
            data = os.read(self.control_fd, READ_CHUNK)
        except BlockingIOError:
            return
        if not data:
            raise SystemExit(0)  # the host is gone
        for msg in self.control.feed(data):
            op = msg.get("op")
            if op == "run":
                self.queue.append(msg)
            elif op == "close":
                self.lost.discard(msg["session"])
                w = self.sessions.pop(msg["session"], None)
                if w is not None and w.job is None:
                    self.kill(w)
            elif op == "stats":
                self.outbox.append({"id": msg["id"], "stats": self.stats()})

    def stats(self) -> dict:
        status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
        return {"rss_kb": int(status["VmRSS"].split()[0]), "workers": len(self.workers),
                "busy": sum(1 for w in self.workers.values() if w.job is not None), "sessions": len(self.sessions)}

    def dispatch(self) -> None:
        for job in list(self.queue):
            sid = job.get("session")
            w = self.sessions.get(sid) if sid else None
            if w is not None and w.job is not None:
                continue  # the session's previous call still runs; calls of a session are sequential
            if w is None:
                w = self.idle_worker()
                if w is None:
                    break
                if sid:
                    self.sessions[sid] = w
                    w.began = time.monotonic()
                    if sid in self.lost:
                        self.lost.discard(sid)
                        job["lost"] = True
            self.queue.remove(job)
            self.start(w, job)

    def start(self, w: Worker, job: dict) -> None:
        limits = job["limits"]
        w.job, w.session, w.timed_out = job, job.get("session"), False
        w.out, w.err = Capture(limits["output_bytes"]), Capture(limits["output_bytes"])
        w.started = time.monotonic()
        w.deadline = w.started + limits["timeout"]
        w.to_worker = encode_frame(job)
        self.hand_over(w)

    def hand_over(self, w: Worker) -> None:
        """Write what the job pipe takes now, the rest when it is writable: a worker that does not read its
        job (a session's script can shrink its pipe) must not stall the pool; its timeout still applies."""
        w.to_worker = write_some(w.job_fd, w.to_worker)
        waiting = w.job_fd in self.sel.get_map()
        if w.to_worker and not waiting:
            self.sel.register(w.job_fd, selectors.EVENT_WRITE, ("job", w))
        elif waiting and not w.to_worker:
            self.sel.unregister(w.job_fd)

    # events from workers

    def on_output(self, w: Worker, fd: int, capture: Capture | None) -> None:
        data = os.read(fd, READ_CHUNK)
        if not data:
            self.close_fd(w, fd)
            return
        if fd == w.status_fd and not w.tampered:
            try:
                frames = w.frames.feed(data)
            except ValueError:  # a header announcing more than a status frame: never buffer it
                frames = [None]
            for frame in frames:
                self.on_status(w, frame)
                if w.tampered:
                    break
        elif capture is not None:
            capture.feed(data)

    def close_fd(self, w: Worker, fd: int) -> None:
        for name in ("status_fd", "out_fd", "err_fd"):
            if getattr(w, name) == fd:
                self.sel.unregister(fd)
                os.close(fd)
                setattr(w, name, None)

    def on_status(self, w: Worker, frame) -> None:
        """The worker's frames come in one order: ready (or why set-up failed), then one per call. Its script
        can write there too; any other frame, or one of another shape, ends the script (only it)."""
        if not w.ready and frame == {"ready": True}:
            w.ready = True
        elif not w.ready and isinstance(frame, dict) and frame.keys() == {"setup_error"} \
                and isinstance(frame["setup_error"], str):
            w.setup_error = frame["setup_error"]
        elif w.ready and w.job is not None and is_exit(frame):
            self.finish(w, exit_code=frame["exit"], memory=frame["memory"])
        elif w.ready and w.job is not None and is_death(frame):
            self.ended(w, frame["died"], frame["cpu"], lost=True)
        else:  # also a session supervisor's {"tampered": true}: its interpreter wrote such a frame
            w.tampered = True
            self.kill(w)

    def on_exit(self, w: Worker, status: int, cpu: float) -> None:
        while w.status_fd is not None:  # its last words: a result, or why its set-up failed
            try:
                self.on_output(w, w.status_fd, None)
            except BlockingIOError:
                break
        w.exited = True
        if not w.ready and w.job is None:
            self.setup_failure = w.setup_error or f"it exited during set-up (wait status {status})"
        if w.job is not None:
            self.drain(w, block=True)
            self.ended(w, status, cpu)
        self.forget(w)

    def ended(self, w: Worker, status: int, cpu: float, lost: bool = False) -> None:
        """The call's process ended with wait `status` after `cpu` seconds of CPU."""
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        code = None if sig else os.WEXITSTATUS(status)
        if w.tampered:
            sig, code = signal.SIGKILL, None
        elif not w.timed_out and (sig == signal.SIGKILL or code == CPU_EXIT) \
                and cpu >= w.job["limits"]["cpu_time"] - 0.05:
            sig, code = signal.SIGXCPU, None  # the soft limit's SIGXCPU, or the hard limit's SIGKILL
        self.finish(w, exit_code=code, signal_number=sig, lost=lost)

    def drain(self, w: Worker, block: bool) -> None:
        """Read what the worker wrote before it finished; after it exited, read to EOF (its tree is dead)."""
        for fd_name, capture in (("out_fd", w.out), ("err_fd", w.err)):
            fd = getattr(w, fd_name)
            while fd is not None:
                try:
                    data = os.read(fd, READ_CHUNK)
                except BlockingIOError:
                    if not block:
                        break
                    select.select([fd], [], [], 0.05)  # in insecure mode a stray child may hold the pipe
                    block = False
                    continue
                if not data:
                    break
                capture.feed(data)

    def finish(self, w: Worker, exit_code, memory=False, signal_number=None, lost=False) -> None:
        """Report the call; `lost`: the session's interpreter died (the worker may not have yet)."""
        if not w.exited:
            self.drain(w, block=False)
        if w.tampered:
            w.err.feed(TAMPERED)
        job = w.job
        lost = lost or w.exited
        result = {"id": job["id"], "exit_code": exit_code, "signal": signal_number, "timed_out": w.timed_out,
                  "memory": memory, "duration": time.monotonic() - w.started,
                  "stdout": w.out.report(), "stderr": w.err.report()}
        sid = job.get("session")
        if sid and (lost or job.get("lost")):
            result["session_lost"] = True
        if w.setup_error:
            result["error"] = f"worker set-up failed: {w.setup_error}"
        self.outbox.append(result)
        w.job, w.deadline = None, None
        if sid and not lost and self.sessions.get(sid) is w:  # it keeps its worker for the next call
            w.deadline = min(time.monotonic() + self.cfg["session_idle"], w.began + self.cfg["session_lifetime"])
            return
        if sid and self.sessions.get(sid) is w:
            del self.sessions[sid]
        w.session = sid or "done"  # never handed out again
        if not w.exited:
            self.kill(w)

    def kill(self, w: Worker) -> None:
        w.session = w.session or "done"
        try:
            if self.cfg["isolate"]:
                os.kill(w.pid, signal.SIGKILL)  # pid 1 of its namespace: the kernel kills the rest
            else:
                os.killpg(w.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def forget(self, w: Worker) -> None:
        for fd in (w.status_fd, w.out_fd, w.err_fd):
            if fd is not None:
                self.close_fd(w, fd)
        if w.job_fd in self.sel.get_map():
            self.sel.unregister(w.job_fd)
        os.close(w.job_fd)
        del self.workers[w.pid]
        if not self.cfg["isolate"]:
            shutil.rmtree(os.path.join(self.cfg["workdir"], str(w.pid)), ignore_errors=True)
        self.lose_sessions(w)

    def lose_sessions(self, w: Worker) -> None:
        """`w` is gone, or going, between calls of its session: the next call starts afresh and says so."""
        for sid, sw in list(self.sessions.items()):
            if sw is w:
                del self.sessions[sid]
                self.lost.add(sid)

    def check_deadlines(self) -> float | None:
        """Kill calls past their timeout and idle sessions past their end; the time until the next deadline."""
        now, nearest = time.monotonic(), None
        for w in self.workers.values():
            if w.deadline is None or w.timed_out:
                continue
            if now < w.deadline:
                nearest = w.deadline if nearest is None else min(nearest, w.deadline)
            elif w.job is None:  # a session idle too long, or too old
                w.deadline = None
                self.lose_sessions(w)
                self.kill(w)
            else:
                w.timed_out = True
                self.kill(w)
        return None if nearest is None else max(0.0, nearest - now)

    def flush_outbox(self) -> None:
        """Send what the host's socket takes now and keep the rest for when it is writable: the host may be
        busy writing the next jobs, which this loop must stay free to read (a blocking write here, beside a
        blocking write there, would leave both waiting for ever)."""
        if not self.outbox and not self.unsent:
            return
        self.unsent += b"".join(encode_frame(msg) for msg in self.outbox)
        self.outbox.clear()
        self.unsent = write_some(self.control_fd, self.unsent)
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.unsent else 0)
        if self.sel.get_key(self.control_fd).events != events:
            self.sel.modify(self.control_fd, events, ("control", None))

    def first_worker(self) -> None:
        """Prove that isolation works here before telling the host we are ready."""
        self.request_workers()
        while not any(w.ready for w in self.workers.values()):
            if self.setup_failure:
                send_frame(self.control_fd, {"fatal": f"cannot isolate a worker: {self.setup_failure}"})
                raise SystemExit(1)
            for key, _ in self.sel.select(30):
                what, w = key.data
                if what == "forks":
                    self.on_forks()
                elif w.pid in self.workers and not w.exited:
                    try:
                        self.on_output(w, key.fd, None)
                    except BlockingIOError:
                        pass

    def run(self) -> None:
        self.first_worker()
        self.sel.register(self.control_fd, selectors.EVENT_READ, ("control", None))
        send_frame(self.control_fd, {"ready": True, "preloaded": sorted(self.cfg["preload"])})
        os.set_blocking(self.control_fd, False)
        while True:
            for key, mask in self.sel.select(self.check_deadlines()):
                what, w = key.data
                if what == "control":
                    if mask & selectors.EVENT_READ:
                        self.on_control()
                elif what == "forks":
                    self.on_forks()
                elif w.pid in self.workers and not w.exited and what == "job":
                    self.hand_over(w)
                elif w.pid in self.workers and not w.exited:
                    try:
                        self.on_output(w, key.fd, {"out": w.out, "err": w.err}.get(what))
                    except BlockingIOError:
                        pass
            self.dispatch()
            self.flush_outbox()
            self.request_workers()


def become_namespace_root(control_fd: int) -> None:
    """Put the zygote at the root of a user and pid namespace of its own, so it may make one per worker."""
    new_user_namespace(CLONE_NEWPID, 0)
    pid = os.fork()
    if pid:
        os.close(control_fd)
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")


def main() -> None:
    cfg = json.loads(sys.argv[1])
    control_fd = cfg["control_fd"]
    os.closerange(3, control_fd)  # whatever else the launcher left open stays outside
    os.closerange(control_fd + 1, 1 << 16)
    sys.path[:0] = cfg["sys_path"]
    try:
        if cfg["isolate"]:
            become_namespace_root(control_fd)
        for name in cfg["preload"]:
            __import__(name)
        if cfg.get("warmup"):
            exec(cfg["warmup"], {})
    except BaseException as exc:
        send_frame(control_fd, {"fatal": f"{type(exc).__name__}: {exc}"})
        raise SystemExit(1)
    gc.collect()
    gc.freeze()  # keep the preloaded heap out of the collector's way, so forks share its pages
    forks, dispatcher_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if os.fork() == 0:
        forks.close()
        try:
            Dispatcher(cfg, dispatcher_end).run()
        finally:
            os._exit(1)
    os.close(control_fd)
    dispatcher_end.close()
    fork_server(cfg, forks)


if __name__ == "__main__":
    main()
