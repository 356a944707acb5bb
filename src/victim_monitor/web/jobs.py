"""Workspace jobs: long work (a publication) in a thread of its own, followed on a status page.

A publication takes seconds to minutes (the sensitivity estimates alone ~20 s on the demo
register). Run inside the request it would hold the browser and, run on the event loop, every
other request with it. A :class:`JobRunner` runs such work one job at a time, in order, in one
background thread per worker process: never on the event loop and never in the thread pool
that serves pages, so a job delays no request (beyond sharing the CPU). The request that starts
a job answers at once with a redirect to the job's page, which refreshes itself until the job
is done (``<meta http-equiv="refresh">``: no script, the CSP stays strict).

Jobs live in the worker's memory, the last :data:`KEEP` of them: the audit trail, not this
registry, is the record of what was done. With several worker processes a job's page is found
by the worker that runs it; another worker answers 404 (``victim-monitor serve`` runs one
worker unless told otherwise).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from fastapi import Request

from victim_monitor.problems import Problem, ProblemError

KEEP = 50  # finished jobs kept per worker, for their pages
ID_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"
State = Literal["queued", "running", "done", "failed"]
INTERNAL = "the job stopped on an internal error; the server's log has the details"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    """One job as its page shows it; a new value at each change of state."""

    id: str
    kind: str
    owner: str
    state: State
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    summary: str = ""  # the work's result, when done
    error: str = ""  # why it failed
    problems: tuple[Problem, ...] = ()  # the coded problems it stopped on (ProblemError)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")


Work = Callable[[], str]  # returns the summary shown when done
Finish = Callable[[Job], None]  # told of the finished job (the audit event), in the job's thread


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class JobRunner:
    """Runs jobs one at a time in its own daemon thread, started with the first job."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: queue.Queue[tuple[str, Work, Finish | None]] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, kind: str, owner: str, work: Work, finish: Finish | None = None) -> Job:
        """Queue ``work``; returns the job at once (state ``queued``)."""
        return self.submit_single(kind, owner, work, finish, single=False)[0]

    def submit_single(
        self,
        kind: str,
        owner: str,
        work: Work,
        finish: Finish | None = None,
        *,
        single: bool = True,
    ) -> tuple[Job, bool]:
        """Queue ``work`` unless a job of ``kind`` is queued or running (``single``): the new
        job and True, or that job and False. Checked and queued at once, so two requests at
        the same moment start one job."""
        job = Job(secrets.token_urlsafe(18), kind, owner, "queued", _now())
        with self._lock:
            if single:
                active = next(
                    (j for j in self._jobs.values() if j.kind == kind and not j.finished), None
                )
                if active is not None:
                    return active, False
            self._jobs[job.id] = job
            self._forget_old()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="vm-jobs", daemon=True)
                self._thread.start()
            self._queue.put((job.id, work, finish))
        return job, True

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def active(self, kind: str) -> Job | None:
        """The first queued or running job of ``kind``, if any."""
        with self._lock:
            return next((j for j in self._jobs.values() if j.kind == kind and not j.finished), None)

    def _set(self, job_id: str, **changes: Any) -> Job:
        with self._lock:
            job = self._jobs[job_id] = replace(self._jobs[job_id], **changes)
            return job

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.finished]
        for key in finished[: max(0, len(finished) - KEEP)]:
            del self._jobs[key]

    def _run(self) -> None:
        while True:
            job_id, work, finish = self._queue.get()
            self._set(job_id, state="running", started_at=_now())
            try:
                job = self._set(job_id, state="done", summary=work(), finished_at=_now())
            except ProblemError as exc:  # an expected failure: the page shows its problems
                job = self._set(
                    job_id,
                    state="failed",
                    error=str(exc),
                    problems=exc.problems,
                    finished_at=_now(),
                )
            except Exception:
                logger.exception("job %s failed", job_id)
                job = self._set(job_id, state="failed", error=INTERNAL, finished_at=_now())
            if finish is not None:
                try:
                    finish(job)
                except Exception:
                    logger.exception("job %s: its ending could not be recorded", job_id)


_MADE = threading.Lock()


def runner(request: Request) -> JobRunner:
    """The app's job runner (made on first use, one per app and worker process)."""
    state = request.app.state
    with _MADE:
        found: JobRunner | None = getattr(state, "jobs", None)
        if found is None:
            found = state.jobs = JobRunner()
    return found
