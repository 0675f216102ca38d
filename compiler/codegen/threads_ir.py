"""LLVM IR of the thread support every parallel piece of native code shares.

No runtime library: each artifact library holds a pool of helper threads of
its own, started with pthread_create (libc since glibc 2.34; a Python process
has libpthread loaded before that) at the first call that wants them, and
kept for later calls. A call publishes its jobs, wakes the workers it wants,
works as one of the team itself and takes jobs from the same counter as
they do (dynamic scheduling: a thread the OS does not run holds the others
up by one job at most), then waits for the workers that joined in. A worker
joins by claiming one of the call's slots; once the caller runs out of jobs
it closes the slots, so it never waits for a worker that has not started
working. Idle workers spin on the call generation for about SPIN_CYCLES,
then sleep on it (a futex; waking a sleeper is one syscall and the pool's
state is a few words, where a mutex and condition variable would add a lock
to every call and depend on the size of pthread types). Spinning yields the
CPU between checks (sched_yield): where threads outnumber free cores, a
worker spinning on the caller's core would otherwise keep the caller from
running (measured in docs/performance.md).

One call at a time uses a library's pool: the pool's lock word holds the pid
of the process whose thread holds it. A call that finds it held by its own
process (another Python thread, or a parallel region inside a job) starts
and joins threads of its own instead (`__nxc_fork_join`), so concurrent and
nested calls neither wait nor deadlock. A lock word holding another pid was
copied by fork() from the parent, where some thread held it: the child takes
it over, and a pool whose workers belong to another process (they do not
exist after fork) starts afresh. A worker that cannot be started leaves its
jobs to the others (the caller at least): a call never fails.

Workers run this library's code while they sleep, so before starting any
the library makes itself undeletable (dlopen of its own file with
RTLD_NODELETE, found by dladdr): unloading it then leaves the code mapped.
Where that fails, calls use `__nxc_fork_join`.

`nxc_num_threads` is the thread count, written by the runtime
(`nxc.set_num_threads`, `NXC_NUM_THREADS`) and read at every call; 0 (a C
caller that never set it) means the CPUs this process may run on.
"""
from __future__ import annotations

import platform
import re
import sys

from nxc.runtime.threads import NUM_THREADS_SYMBOL

MAX_THREADS = 64
SPIN_CYCLES = 1 << 16  # cycle-counter ticks an idle thread spins before it sleeps (~25 us)

# The Linux futex syscall number per machine; elsewhere (another machine or
# another OS: macOS has no futex) the pool is off and every call starts its
# own threads.
FUTEX = {"x86_64": 202, "aarch64": 98, "arm64": 98}.get(platform.machine().lower(), 0) \
    if sys.platform.startswith("linux") else 0
POOL = FUTEX != 0
_FUTEX_WAIT, _FUTEX_WAKE = 128, 129  # FUTEX_WAIT / FUTEX_WAKE, process-private
_CLOSED = 1 << 40  # the slot counter of a call whose slots are closed
# RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE (glibc, every Linux machine)
_PIN = 0x1 | 0x4 | 0x1000

_TEAM = "{ ptr, ptr, i64, i64, i64 }"  # fn, jobs, job size, job count, next job

# A job function is `ptr (ptr)`, the pthread start-routine type.
THREADS_IR = f"""
@{NUM_THREADS_SYMBOL} = weak global i32 0, align 4

; The pool. `owner`: 0, or the pid of the process whose thread holds the
; pool; `pid`: the process the `size` workers belong to; `pinned`: 0 not
; tried, 1 library kept loaded, 2 failed. A call's `team` is taken through
; `claimed` slots (below `want`, and `CLOSED` or more once the caller closes
; them); workers that ran the team count themselves in `done`. `gen` counts
; calls; `sleepers` and `waiting` count threads asleep on `gen` and `done`.
@__nxc_pool_owner = internal global i32 0, align 64
@__nxc_pool_pid = internal global i32 0, align 4
@__nxc_pool_size = internal global i64 0, align 8
@__nxc_pool_pinned = internal global i32 0, align 4
@__nxc_pool_want = internal global i64 0, align 8
@__nxc_pool_team = internal global {_TEAM} zeroinitializer, align 64
@__nxc_pool_gen = internal global i32 0, align 64
@__nxc_pool_sleepers = internal global i32 0, align 4
@__nxc_pool_claimed = internal global i64 0, align 64
@__nxc_pool_done = internal global i32 0, align 64
@__nxc_pool_waiting = internal global i32 0, align 4

define internal i64 @__nxc_usable_cpus() {{
entry:
  %mask = alloca [16 x i64], align 8
  call void @llvm.memset.p0.i64(ptr %mask, i8 0, i64 128, i1 false)
  %rc = call i32 @sched_getaffinity(i32 0, i64 128, ptr %mask)
  %ok = icmp eq i32 %rc, 0
  br i1 %ok, label %count, label %one
count:
  %v = load <16 x i64>, ptr %mask, align 8
  %bits = call <16 x i64> @llvm.ctpop.v16i64(<16 x i64> %v)
  %n = call i64 @llvm.vector.reduce.add.v16i64(<16 x i64> %bits)
  %pos = icmp sgt i64 %n, 0
  %r = select i1 %pos, i64 %n, i64 1
  ret i64 %r
one:
  ret i64 1
}}

; The number of threads for `work` units of work, one thread per `grain` units
; at most, between 1 and the thread count.
define internal i64 @__nxc_threads_for(i64 %work, i64 %grain) {{
entry:
  %set = load atomic i32, ptr @{NUM_THREADS_SYMBOL} monotonic, align 4
  %has = icmp sgt i32 %set, 0
  br i1 %has, label %given, label %default
given:
  %g = sext i32 %set to i64
  br label %clamp
default:
  %d = call i64 @__nxc_usable_cpus()
  br label %clamp
clamp:
  %n = phi i64 [%g, %given], [%d, %default]
  %q = udiv i64 %work, %grain
  %t0 = call i64 @llvm.umin.i64(i64 %n, i64 %q)
  %t1 = call i64 @llvm.umin.i64(i64 %t0, i64 {MAX_THREADS})
  %t = call i64 @llvm.umax.i64(i64 %t1, i64 1)
  ret i64 %t
}}

; A team runs `n` jobs of `size` bytes at `jobs` through `fn`: each member
; takes the next job not yet taken until none is left, so a member the OS
; does not schedule delays the others by one job at most.
define internal ptr @__nxc_team_member(ptr %team) {{
entry:
  %fn.p = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 0
  %fn = load ptr, ptr %fn.p, align 8
  %jobs.p = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 1
  %jobs = load ptr, ptr %jobs.p, align 8
  %size.p = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 2
  %size = load i64, ptr %size.p, align 8
  %n.p = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 3
  %n = load i64, ptr %n.p, align 8
  %next = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 4
  br label %take
take:
  %i = atomicrmw add ptr %next, i64 1 monotonic, align 8
  %more = icmp ult i64 %i, %n
  br i1 %more, label %run, label %done
run:
  %off = mul i64 %i, %size
  %job = getelementptr inbounds i8, ptr %jobs, i64 %off
  %r = call ptr %fn(ptr %job)
  br label %take
done:
  ret ptr null
}}

; Run `n` jobs with the caller and `threads` - 1 threads started for this
; call alone (none when `threads` is 1); returns when all jobs are done.
define internal void @__nxc_fork_join(ptr %fn, ptr %jobs, i64 %size, i64 %n, i64 %threads) {{
entry:
  %team = alloca {_TEAM}, align 8
  %tids = alloca [{MAX_THREADS} x i64], align 8
  %started = alloca [{MAX_THREADS} x i8], align 1
  store {_TEAM} zeroinitializer, ptr %team, align 8
  %fn.p = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 0
  store ptr %fn, ptr %fn.p, align 8
  %jobs.p = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 1
  store ptr %jobs, ptr %jobs.p, align 8
  %size.p = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 2
  store i64 %size, ptr %size.p, align 8
  %n.p = getelementptr inbounds {_TEAM}, ptr %team, i32 0, i32 3
  store i64 %n, ptr %n.p, align 8
  %t0 = call i64 @llvm.umin.i64(i64 %threads, i64 %n)
  %t = call i64 @llvm.umin.i64(i64 %t0, i64 {MAX_THREADS})
  br label %spawn.head
spawn.head:
  %i = phi i64 [1, %entry], [%i.next, %spawn.body]
  %more = icmp ult i64 %i, %t
  br i1 %more, label %spawn.body, label %run0
spawn.body:
  %tid = getelementptr inbounds i64, ptr %tids, i64 %i
  %rc = call i32 @pthread_create(ptr %tid, ptr null, ptr @__nxc_team_member, ptr %team)
  %ok = icmp eq i32 %rc, 0
  %flag = getelementptr inbounds i8, ptr %started, i64 %i
  %okb = zext i1 %ok to i8
  store i8 %okb, ptr %flag, align 1
  %i.next = add i64 %i, 1
  br label %spawn.head
run0:
  ; The caller is a member too: with no thread started it runs every job.
  %r0 = call ptr @__nxc_team_member(ptr %team)
  br label %join.head
join.head:
  %j = phi i64 [1, %run0], [%j.next, %join.latch]
  %jmore = icmp ult i64 %j, %t
  br i1 %jmore, label %join.check, label %done
join.check:
  %jflag = getelementptr inbounds i8, ptr %started, i64 %j
  %s = load i8, ptr %jflag, align 1
  %was = icmp ne i8 %s, 0
  br i1 %was, label %join.body, label %join.latch
join.body:
  %jtid = getelementptr inbounds i64, ptr %tids, i64 %j
  %tv = load i64, ptr %jtid, align 8
  %jr = call i32 @pthread_join(i64 %tv, ptr null)
  br label %join.latch
join.latch:
  %j.next = add i64 %j, 1
  br label %join.head
done:
  ret void
}}

; Wait until the i32 at `word` is no longer `old` and return its new value:
; spin for SPIN_CYCLES (yielding the CPU between checks), then sleep on the
; futex, counted in `sleepers` (so that a waker that sees no sleeper may skip
; the syscall).
define internal i32 @__nxc_wait_change(ptr %word, i32 %old, ptr %sleepers) {{
entry:
  %t0 = call i64 @llvm.readcyclecounter()
  br label %spin
spin:
  %v = load atomic i32, ptr %word seq_cst, align 4
  %same = icmp eq i32 %v, %old
  br i1 %same, label %spin.more, label %changed
spin.more:
  %y = call i32 @sched_yield()
  %t = call i64 @llvm.readcyclecounter()
  %dt = sub i64 %t, %t0
  %long = icmp ugt i64 %dt, {SPIN_CYCLES}
  br i1 %long, label %sleep, label %spin
sleep:
  %s0 = atomicrmw add ptr %sleepers, i32 1 seq_cst, align 4
  %v1 = load atomic i32, ptr %word seq_cst, align 4
  %same1 = icmp eq i32 %v1, %old
  br i1 %same1, label %wait, label %woke
wait:
  %old64 = zext i32 %old to i64
  %rc = call i64 (i64, ...) @syscall(i64 {FUTEX}, ptr %word, i64 {_FUTEX_WAIT}, i64 %old64, ptr null)
  br label %woke
woke:
  %s1 = atomicrmw sub ptr %sleepers, i32 1 seq_cst, align 4
  %v2 = load atomic i32, ptr %word seq_cst, align 4
  %same2 = icmp eq i32 %v2, %old
  ; Woken by a signal or spuriously: sleep again.
  br i1 %same2, label %sleep, label %changed
changed:
  %r = phi i32 [%v, %spin], [%v2, %woke]
  ret i32 %r
}}

; Wake up to `n` threads asleep on `word` (after the caller changed it).
define internal void @__nxc_wake(ptr %word, ptr %sleepers, i32 %n) {{
entry:
  %s = load atomic i32, ptr %sleepers seq_cst, align 4
  %any = icmp ne i32 %s, 0
  br i1 %any, label %wake, label %done
wake:
  %n64 = zext i32 %n to i64
  %rc = call i64 (i64, ...) @syscall(i64 {FUTEX}, ptr %word, i64 {_FUTEX_WAKE}, i64 %n64)
  br label %done
done:
  ret void
}}

; A pool worker: wait for the next call, claim a slot, and run the call's
; team when the slot is one the call wants.
define internal ptr @__nxc_pool_worker(ptr %unused) {{
entry:
  %g0 = load atomic i32, ptr @__nxc_pool_gen seq_cst, align 4
  br label %next
next:
  %seen = phi i32 [%g0, %entry], [%g, %next], [%g, %work]
  %g = call i32 @__nxc_wait_change(ptr @__nxc_pool_gen, i32 %seen, ptr @__nxc_pool_sleepers)
  %slot = atomicrmw add ptr @__nxc_pool_claimed, i64 1 seq_cst, align 8
  %want = load atomic i64, ptr @__nxc_pool_want seq_cst, align 8
  %in = icmp ult i64 %slot, %want
  br i1 %in, label %work, label %next
work:
  %r = call ptr @__nxc_team_member(ptr @__nxc_pool_team)
  %d = atomicrmw add ptr @__nxc_pool_done, i32 1 seq_cst, align 4
  call void @__nxc_wake(ptr @__nxc_pool_done, ptr @__nxc_pool_waiting, i32 1)
  br label %next
}}

; Keep this library loaded for good (its workers run its code): 1 on success.
define internal i32 @__nxc_pool_pin() {{
entry:
  %info = alloca {{ ptr, ptr, ptr, ptr }}, align 8
  %found = call i32 @dladdr(ptr @__nxc_pool_worker, ptr %info)
  %ok = icmp ne i32 %found, 0
  br i1 %ok, label %open, label %fail
open:
  %name = load ptr, ptr %info, align 8
  %h = call ptr @dlopen(ptr %name, i32 {_PIN})
  %opened = icmp ne ptr %h, null
  br i1 %opened, label %pinned, label %fail
pinned:
  ret i32 1
fail:
  ret i32 2
}}

; With the pool held: start workers until there are `need`; returns how
; many there are (fewer when a thread cannot be started, none when the
; library cannot be pinned).
define internal i64 @__nxc_pool_grow(i64 %need) {{
entry:
  %tid = alloca i64, align 8
  %have = load i64, ptr @__nxc_pool_size, align 8
  %enough = icmp uge i64 %have, %need
  br i1 %enough, label %done, label %pin
pin:
  %p0 = load i32, ptr @__nxc_pool_pinned, align 4
  %tried = icmp ne i32 %p0, 0
  br i1 %tried, label %check, label %try
try:
  %p1 = call i32 @__nxc_pool_pin()
  store i32 %p1, ptr @__nxc_pool_pinned, align 4
  br label %check
check:
  %p = phi i32 [%p0, %pin], [%p1, %try]
  %ok = icmp eq i32 %p, 1
  br i1 %ok, label %start, label %done
start:
  %i = phi i64 [%have, %check], [%i.next, %started]
  %more = icmp ult i64 %i, %need
  br i1 %more, label %create, label %stop
create:
  %rc = call i32 @pthread_create(ptr %tid, ptr null, ptr @__nxc_pool_worker, ptr null)
  %created = icmp eq i32 %rc, 0
  br i1 %created, label %started, label %stop
started:
  %tv = load i64, ptr %tid, align 8
  %dr = call i32 @pthread_detach(i64 %tv)
  %i.next = add i64 %i, 1
  store i64 %i.next, ptr @__nxc_pool_size, align 8
  br label %start
stop:
  %n = phi i64 [%i, %start], [%i, %create]
  ret i64 %n
done:
  ret i64 %have
}}

; Take the pool (true), or leave it to the thread of this process holding it.
define internal i1 @__nxc_pool_take(i32 %pid) {{
entry:
  %c = cmpxchg ptr @__nxc_pool_owner, i32 0, i32 %pid seq_cst seq_cst, align 4
  %got = extractvalue {{ i32, i1 }} %c, 1
  br i1 %got, label %fresh, label %held
held:
  %holder = extractvalue {{ i32, i1 }} %c, 0
  %ours = icmp eq i32 %holder, %pid
  br i1 %ours, label %busy, label %steal
steal:
  ; Held in the process this one was forked from: no thread here releases it.
  %c2 = cmpxchg ptr @__nxc_pool_owner, i32 %holder, i32 %pid seq_cst seq_cst, align 4
  %got2 = extractvalue {{ i32, i1 }} %c2, 1
  br i1 %got2, label %fresh, label %busy
fresh:
  %wpid = load i32, ptr @__nxc_pool_pid, align 4
  %same = icmp eq i32 %wpid, %pid
  br i1 %same, label %taken, label %reset
reset:
  ; The workers belong to another process (none exist after fork).
  store i64 0, ptr @__nxc_pool_size, align 8
  store atomic i32 0, ptr @__nxc_pool_sleepers seq_cst, align 4
  store atomic i32 0, ptr @__nxc_pool_waiting seq_cst, align 4
  store i32 %pid, ptr @__nxc_pool_pid, align 4
  br label %taken
taken:
  ret i1 true
busy:
  ret i1 false
}}

; Run `fn` on `n` jobs of `size` bytes each at `jobs` with `threads` threads
; (the caller and the pool's workers); returns when all jobs are done.
define internal void @__nxc_run_jobs(ptr %fn, ptr %jobs, i64 %size, i64 %n, i64 %threads) {{
entry:
  %t0 = call i64 @llvm.umin.i64(i64 %threads, i64 %n)
  %t = call i64 @llvm.umin.i64(i64 %t0, i64 {MAX_THREADS})
  %many = icmp ugt i64 %t, 1
  %pooled = and i1 %many, {"true" if POOL else "false"}
  br i1 %pooled, label %take, label %alone
alone:
  call void @__nxc_fork_join(ptr %fn, ptr %jobs, i64 %size, i64 %n, i64 %t)
  ret void
take:
  %pid = call i32 @getpid()
  %got = call i1 @__nxc_pool_take(i32 %pid)
  br i1 %got, label %grow, label %alone
grow:
  %need = sub i64 %t, 1
  %have = call i64 @__nxc_pool_grow(i64 %need)
  %w = call i64 @llvm.umin.i64(i64 %need, i64 %have)
  %none = icmp eq i64 %w, 0
  br i1 %none, label %release.alone, label %publish
release.alone:
  store atomic i32 0, ptr @__nxc_pool_owner seq_cst, align 4
  br label %alone
publish:
  store ptr %fn, ptr @__nxc_pool_team, align 8
  %jobs.p = getelementptr inbounds {_TEAM}, ptr @__nxc_pool_team, i32 0, i32 1
  store ptr %jobs, ptr %jobs.p, align 8
  %size.p = getelementptr inbounds {_TEAM}, ptr @__nxc_pool_team, i32 0, i32 2
  store i64 %size, ptr %size.p, align 8
  %n.p = getelementptr inbounds {_TEAM}, ptr @__nxc_pool_team, i32 0, i32 3
  store i64 %n, ptr %n.p, align 8
  %next.p = getelementptr inbounds {_TEAM}, ptr @__nxc_pool_team, i32 0, i32 4
  store atomic i64 0, ptr %next.p seq_cst, align 8
  store atomic i64 %w, ptr @__nxc_pool_want seq_cst, align 8
  store atomic i32 0, ptr @__nxc_pool_done seq_cst, align 4
  ; Opening the slots publishes the team to the workers that claim them.
  store atomic i64 0, ptr @__nxc_pool_claimed seq_cst, align 8
  %g = atomicrmw add ptr @__nxc_pool_gen, i32 1 seq_cst, align 4
  %w32 = trunc i64 %w to i32
  call void @__nxc_wake(ptr @__nxc_pool_gen, ptr @__nxc_pool_sleepers, i32 %w32)
  %r = call ptr @__nxc_team_member(ptr @__nxc_pool_team)
  ; No job is left: close the slots, and wait for the workers that took one.
  %claims = atomicrmw xchg ptr @__nxc_pool_claimed, i64 {_CLOSED} seq_cst, align 8
  %parts = call i64 @llvm.umin.i64(i64 %claims, i64 %w)
  %parts32 = trunc i64 %parts to i32
  br label %wait
wait:
  %d = load atomic i32, ptr @__nxc_pool_done seq_cst, align 4
  %all = icmp eq i32 %d, %parts32
  br i1 %all, label %finish, label %sleep
sleep:
  %d1 = call i32 @__nxc_wait_change(ptr @__nxc_pool_done, i32 %d, ptr @__nxc_pool_waiting)
  br label %wait
finish:
  store atomic i32 0, ptr @__nxc_pool_owner seq_cst, align 4
  ret void
}}
"""

THREADS_DECLS = {
    "llvm.memset.p0.i64": "declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)",
    "sched_getaffinity": "declare i32 @sched_getaffinity(i32, i64, ptr)",
    "llvm.ctpop.v16i64": "declare <16 x i64> @llvm.ctpop.v16i64(<16 x i64>)",
    "llvm.vector.reduce.add.v16i64": "declare i64 @llvm.vector.reduce.add.v16i64(<16 x i64>)",
    "llvm.umin.i64": "declare i64 @llvm.umin.i64(i64, i64)",
    "llvm.umax.i64": "declare i64 @llvm.umax.i64(i64, i64)",
    "llvm.readcyclecounter": "declare i64 @llvm.readcyclecounter()",
    "pthread_create": "declare i32 @pthread_create(ptr, ptr, ptr, ptr)",
    "pthread_join": "declare i32 @pthread_join(i64, ptr)",
    "pthread_detach": "declare i32 @pthread_detach(i64)",
    "sched_yield": "declare i32 @sched_yield()",
    "syscall": "declare i64 @syscall(i64, ...)",
    "getpid": "declare i32 @getpid()",
    "dladdr": "declare i32 @dladdr(ptr, ptr)",
    "dlopen": "declare ptr @dlopen(ptr, i32)",
}


def missing_declarations(text: str, decls: dict) -> str:
    """The declarations of `decls` (symbol -> declare line) that `text` lacks:
    LLVM rejects a symbol declared twice."""
    return "\n".join(line for name, line in decls.items()
                     if not re.search(rf"^(declare|define)\b[^\n]*@{re.escape(name)}\(",
                                      text, re.M))
