"""`nxc compile MODEL.py`: compile the `@defn` functions of a model file.

The file is read, never executed (nor are the files it imports). The functions
compiled are the fully annotated `@defn`s and the module-level transformed
ones (`dloss = nx.grad(loss)`, `batched = nx.vmap(f, axis_size="batch")`), or
those named with `--function`. The frontend's module then runs through the
pass pipeline (`pipeline()`, verified after each pass); `--print-ir-after=NAME`
prints the IR after pass NAME to stderr. `--emit ir|mlir|llvm|asm` prints that
stage (`--emit obj` writes object code to `-o FILE`); by default the CPU
backend writes an importable package, `./<stem>_nxc/` or the directory `-o`
names. Errors print as `file:line:col: error: message` with the
source line and a caret, and exit with status 1; `--debug` shows the
traceback. A usage error (an unknown pass name) exits with status 2.
`--time-report` prints the wall time of each stage to stderr (frontend, IR
passes, emit MLIR, each MLIR pipeline stage, translation, LLVM optimize,
codegen, link, artifact write).
"""
from __future__ import annotations

import sys

import click

from nxc.runtime.errors import NxcError

# Stages the CLI can stop after.
STAGES = ("ir", "mlir", "llvm", "asm", "obj")


def pipeline():
    """The passes run on the frontend's module, in order."""
    from nxc.compiler.passes.simplify import Simplify
    return [Simplify()]


@click.command("compile")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--emit", type=click.Choice(STAGES), default=None,
              help="Stop after a stage and print its output (default: a compiled artifact).")
@click.option("--function", "functions", multiple=True, metavar="NAME",
              help="Compile only this @defn function (repeatable).")
@click.option("-o", "--output", type=click.Path(), default=None,
              help="The artifact directory (default ./<stem>_nxc), or with --emit "
                   "the file to write instead of stdout.")
@click.option("-O", "opt_level", type=click.IntRange(0, 3), default=2, show_default=True,
              help="LLVM optimization level (-O0 .. -O3).")
@click.option("--target", type=click.Choice(["cpu", "cuda", "rocm"]), default="cpu",
              show_default=True,
              help="cpu: the host; cuda: NVIDIA GPUs (PTX, cubin); rocm: AMD GPUs.")
@click.option("--arch", default=None, metavar="ARCH[,ARCH...]",
              help="GPU architectures to build kernels for (default sm_90 for cuda, "
                   "gfx942 for rocm), e.g. sm_80,sm_90.")
@click.option("--cpu", default=None, metavar="NAME",
              help="Generate code for this CPU (default: the host's).")
@click.option("--features", default=None, metavar="+f1,-f2",
              help="CPU features to enable or disable (default: the host's).")
@click.option("--print-ir-after", "print_after", multiple=True, metavar="PASS",
              help="Print the IR after this pass to stderr (repeatable); passes: "
                   + ", ".join(p.name for p in pipeline()) + ".")
@click.option("--time-report", is_flag=True,
              help="Print the time each compile stage took to stderr.")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error.")
def compile_command(file, emit, functions, output, opt_level, target, arch, cpu, features,
                    print_after, time_report, debug):
    """Compile the @defn functions of FILE without running it."""
    from nxc.compiler import timing
    passes = _pass_manager(print_after)
    if emit == "obj" and not output:
        raise click.UsageError("--emit obj writes binary object code: name the file with -o")
    backend = dict(opt_level=opt_level, cpu=cpu, features=features)
    if target != "cpu":
        if cpu or features:
            raise click.UsageError("--cpu and --features apply to --target cpu")
        backend = dict(opt_level=opt_level, target=target, arch=arch)
    elif arch:
        raise click.UsageError("--arch applies to --target cuda or rocm")
    try:
        with timing.collect() as report:
            text = _run(file, emit, functions, passes, output, backend)
        if time_report:
            click.echo(report.format(f"nxc compile {file}: time report"), err=True, nl=False)
    except NxcError as err:
        if debug:
            raise
        click.echo(str(err), err=True)
        sys.exit(1)
    except Exception as err:  # a bug in nxc: say so, without the traceback
        if debug:
            raise
        click.echo(f"{file}: internal compiler error: {type(err).__name__}: {err}\n"
                   f"(rerun with --debug for the traceback, and please report it)", err=True)
        sys.exit(2)
    if emit is None:
        click.echo(f"wrote {text}", err=True)
    elif output:
        try:
            with open(output, "wb" if isinstance(text, bytes) else "w") as f:
                f.write(text)
        except OSError as e:
            if debug:
                raise
            click.echo(f"{output}: error: cannot write the output: {e.strerror}", err=True)
            sys.exit(1)
    else:
        click.echo(text, nl=False)


def _pass_manager(print_after):
    from nxc.compiler.passes.base import PassManager
    from nxc.runtime.errors import ArgumentError
    try:
        return PassManager(pipeline(), verify=True, print_after=print_after, out=sys.stderr)
    except ArgumentError as e:
        raise click.UsageError(str(e)) from None


def _run(file, emit, functions, passes, output, backend):
    """The text (bytes for obj) of the stage `emit`, or the artifact's path."""
    import os

    from nxc.compiler.frontend.driver import compile_file
    from nxc.compiler.ir.printer import print_module
    from nxc.compiler.ir.verifier import verify
    from nxc.compiler import timing
    with Progress(file) as progress:
        with timing.stage("frontend"):
            module = compile_file(file, list(functions) or None)
        if not module.functions:
            raise NxcError(f"{file}: error: no fully annotated @defn function to compile "
                           f"(annotate every parameter, like x: nx.f32[3])")
        progress.stage("running passes")
        with timing.stage("IR passes"):
            module = passes.run(verify(module))
        if emit == "ir":
            return print_module(module)
        progress.stage("generating native code")
        with timing.stage("import backend"):  # the MLIR bindings and llvmlite
            if "target" in backend:
                from nxc.compiler.codegen.gpu import compile_gpu_module as compile_module
            else:
                from nxc.compiler.codegen import compile_module
        stem = os.path.splitext(os.path.basename(file))[0]
        module.name = stem
        if emit is not None:
            return compile_module(module, emit=emit, **backend)
        return compile_module(module, out_dir=output or f"{stem}_nxc", **backend)


class Progress:
    """Shows the stage a compile is in, on a terminal, once it has taken more than
    a second; silent when stderr is not a terminal (pipes, CI, tests)."""

    DELAY = 1.0

    def __init__(self, file, stream=None):
        self.file = file
        self.stream = stream or sys.stderr
        self.current = "reading the model and lowering it to IR"
        self.shown = False
        self.timer = None

    def __enter__(self):
        import threading
        if self.stream.isatty():
            self.timer = threading.Timer(self.DELAY, self._show)
            self.timer.daemon = True
            self.timer.start()
        return self

    def stage(self, name):
        self.current = name
        if self.shown:
            self._show()

    def _show(self):
        self.shown = True
        self.stream.write(f"\r\x1b[Knxc: {self.file}: {self.current}...")
        self.stream.flush()

    def __exit__(self, *exc):
        if self.timer is not None:
            self.timer.cancel()
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        return False
