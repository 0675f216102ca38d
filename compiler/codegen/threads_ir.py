"""LLVM IR of the thread support every parallel piece of native code shares.

No runtime library: each parallel call starts its helper threads with
pthread_create (libc since glibc 2.34; a Python process has libpthread loaded
before that), works as one of the team itself and joins the others. A
call's threads take its jobs from a counter of its own (dynamic scheduling:
a thread the OS does not run holds the others up by one job at most). Nothing is shared between calls but the thread
count, so any number of callers may run at once, and when a thread cannot be
started the others (the caller at least) run its jobs: a call never fails and
never waits on anything but its own threads.

`nxc_num_threads` is the thread count, written by the runtime
(`nxc.set_num_threads`, `NXC_NUM_THREADS`); 0 (a C caller that never set it)
means the CPUs this process may run on.
"""
from __future__ import annotations

import re

from nxc.runtime.threads import NUM_THREADS_SYMBOL

MAX_THREADS = 64

# A job function is `ptr (ptr)`, the pthread start-routine type.
THREADS_IR = f"""
@{NUM_THREADS_SYMBOL} = weak global i32 0, align 4

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
; {{ ptr fn, ptr jobs, i64 size, i64 n, i64 next }}
define internal ptr @__nxc_team_member(ptr %team) {{
entry:
  %fn.p = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 0
  %fn = load ptr, ptr %fn.p, align 8
  %jobs.p = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 1
  %jobs = load ptr, ptr %jobs.p, align 8
  %size.p = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 2
  %size = load i64, ptr %size.p, align 8
  %n.p = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 3
  %n = load i64, ptr %n.p, align 8
  %next = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 4
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

; Run `fn` on `n` jobs of `size` bytes each at `jobs` with `threads` threads
; (the caller and threads - 1 new ones); returns when all jobs are done.
define internal void @__nxc_run_jobs(ptr %fn, ptr %jobs, i64 %size, i64 %n, i64 %threads) {{
entry:
  %team = alloca {{ ptr, ptr, i64, i64, i64 }}, align 8
  %tids = alloca [{MAX_THREADS} x i64], align 8
  %started = alloca [{MAX_THREADS} x i8], align 1
  store {{ ptr, ptr, i64, i64, i64 }} zeroinitializer, ptr %team, align 8
  %fn.p = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 0
  store ptr %fn, ptr %fn.p, align 8
  %jobs.p = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 1
  store ptr %jobs, ptr %jobs.p, align 8
  %size.p = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 2
  store i64 %size, ptr %size.p, align 8
  %n.p = getelementptr inbounds {{ ptr, ptr, i64, i64, i64 }}, ptr %team, i32 0, i32 3
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
"""

THREADS_DECLS = {
    "llvm.memset.p0.i64": "declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)",
    "sched_getaffinity": "declare i32 @sched_getaffinity(i32, i64, ptr)",
    "llvm.ctpop.v16i64": "declare <16 x i64> @llvm.ctpop.v16i64(<16 x i64>)",
    "llvm.vector.reduce.add.v16i64": "declare i64 @llvm.vector.reduce.add.v16i64(<16 x i64>)",
    "llvm.umin.i64": "declare i64 @llvm.umin.i64(i64, i64)",
    "llvm.umax.i64": "declare i64 @llvm.umax.i64(i64, i64)",
    "pthread_create": "declare i32 @pthread_create(ptr, ptr, ptr, ptr)",
    "pthread_join": "declare i32 @pthread_join(i64, ptr)",
}


def missing_declarations(text: str, decls: dict) -> str:
    """The declarations of `decls` (symbol -> declare line) that `text` lacks:
    LLVM rejects a symbol declared twice."""
    return "\n".join(line for name, line in decls.items()
                     if not re.search(rf"^(declare|define)\b[^\n]*@{re.escape(name)}\(",
                                      text, re.M))
