"""`nxc compile`: reads models without running them, multi-file models, output and errors."""
import os
import subprocess
import sys
import textwrap

import numpy as np
from click.testing import CliRunner

from nxc.cli.main import main
from nxc.compiler.frontend.driver import compile_file
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.verifier import verify


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def compile_cli(*args):
    return CliRunner().invoke(main, ["compile", *map(str, args)])


def test_compile_never_executes_the_model_or_its_imports(tmp_path):
    marker = tmp_path / "executed"
    write(tmp_path / "helpers.py", f"""
        import nxc as nx
        open({str(marker)!r} + ".helpers", "w").write("imported")

        @nx.defn
        def double(x):
            return x * 2
    """)
    model = write(tmp_path / "model.py", f"""
        import nxc as nx
        import helpers
        open({str(marker)!r}, "w").write("executed")
        raise SystemExit("the model ran")

        @nx.defn
        def f(x: nx.f32[3]):
            return helpers.double(x) + 1
    """)
    result = compile_cli(model, "--emit", "ir")
    assert result.exit_code == 0, result.output
    assert "func @f(%x: f32[3]) -> f32[3]" in result.output
    assert not marker.exists()
    assert not (tmp_path / "executed.helpers").exists()


def test_multi_file_model_with_sibling_and_package(tmp_path):
    write(tmp_path / "layers.py", """
        import nxc as nx

        @nx.defn
        def dense(x, w, b, *, relu=True):
            y = x @ w + b
            return nx.max(y, 0.0) if relu else y
    """)
    write(tmp_path / "nets" / "__init__.py", "from .blocks import block\n")
    write(tmp_path / "nets" / "constants.py", "GAIN = 2 ** -1\n")
    write(tmp_path / "nets" / "blocks.py", """
        from nxc import defn
        from layers import dense
        from .ops.scale import halve

        @defn
        def block(x, w, b):
            return halve(dense(x, w, b, relu=False))
    """)
    write(tmp_path / "nets" / "ops" / "__init__.py", "")
    write(tmp_path / "nets" / "ops" / "scale.py", """
        import nxc as nx
        from .. import constants as C
        from ..constants import GAIN

        @nx.defn
        def halve(x):
            return x * C.GAIN if GAIN == C.GAIN else x
    """)
    model = write(tmp_path / "model.py", """
        import nxc as nx
        import layers
        from nets import block

        @nx.defn
        def net(x: nx.f32[2, 3], w: nx.f32[3, 3], b: nx.f32[3]):
            return block(layers.dense(x, w, b), w, b)
    """)
    module = verify(compile_file(str(model)))
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], np.float32)
    w = np.array([[0.5, -1.0, 2.0], [1.0, 1.0, 0.0], [-2.0, 0.5, 1.0]], np.float32)
    b = np.array([0.1, -0.2, 0.3], np.float32)
    (out,) = run_function(module["net"], x, w, b)
    x64, w64, b64 = (a.astype(np.float64) for a in (x, w, b))
    h = np.maximum(x64 @ w64 + b64, 0.0)
    np.testing.assert_allclose(out, (h @ w64 + b64) * 0.5, rtol=1e-6)
    assert compile_cli(model, "--emit", "ir").exit_code == 0


def test_relative_imports_follow_packages(tmp_path):
    write(tmp_path / "app" / "__init__.py", "")
    write(tmp_path / "app" / "helpers.py", """
        import nxc as nx

        @nx.defn
        def neg(x):
            return -x
    """)
    # A model inside a package may import relatively, as `python -m app.model` would.
    inside = write(tmp_path / "app" / "model.py", """
        import nxc as nx
        from .helpers import neg
        from app.helpers import neg as neg2

        @nx.defn
        def f(x: nx.f32):
            return neg(neg2(x))
    """)
    assert compile_cli(inside, "--emit", "ir").exit_code == 0
    beyond = write(tmp_path / "app" / "bad.py", """
        import nxc as nx
        from ..helpers import neg

        @nx.defn
        def f(x: nx.f32):
            return neg(x)
    """)
    result = compile_cli(beyond, "--emit", "ir")
    assert result.exit_code == 1
    assert result.output.startswith(f"{beyond}:2:1: error: relative import ..helpers beyond "
                                    f"the top-level package (the file is app.bad)")


def test_output_file_and_function_selection(tmp_path):
    model = write(tmp_path / "model.py", """
        import nxc as nx

        @nx.defn
        def a(x: nx.f32):
            return x

        @nx.defn
        def b(x: nx.s32):
            return x
    """)
    out = tmp_path / "out.nxir"
    result = compile_cli(model, "--emit", "ir", "--function", "b", "-o", out)
    assert result.exit_code == 0 and result.output == ""
    text = out.read_text()
    assert "func @b(%x: s32) -> s32" in text and "func @a" not in text
    both = compile_cli(model, "--emit", "ir", "--function", "b", "--function", "a").output
    assert both.index("func @b") < both.index("func @a")


def test_errors_exit_1_without_traceback_and_debug_shows_it(tmp_path):
    model = write(tmp_path / "model.py", """
        import nxc as nx

        @nx.defn
        def f(x: nx.f32[3], y: nx.f32[4]):
            return x + y
    """)
    nxc = os.path.join(os.path.dirname(sys.executable), "nxc")
    cmd = [nxc, "compile", str(model), "--emit", "ir"]
    plain = subprocess.run(cmd, capture_output=True, text=True)
    assert plain.returncode == 1 and plain.stdout == ""
    assert plain.stderr.splitlines() == [
        f"{model}:5:12: error: cannot add f32[3] and f32[4]: dimension 0 differs (3 vs 4)",
        "    return x + y",
        "           ^",
    ]
    debug = subprocess.run(cmd + ["--debug"], capture_output=True, text=True)
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr


def test_the_default_output_is_an_importable_artifact(tmp_path):
    model = write(tmp_path / "model.py", """
        import nxc as nx

        @nx.defn
        def f(x: nx.f32["n"], y: nx.f32["n"]):
            'Products minus one.'
            return x * y - 1.0
    """)
    out = tmp_path / "build" / "fast_model"
    result = compile_cli(model, "-o", str(out))
    assert result.exit_code == 0, result.output
    shown = CliRunner().invoke(main, ["inspect", str(out)])
    assert shown.exit_code == 0, shown.output
    assert "f(x: f32[n: ?n], y: f32[n: ?n]) -> f32[n: ?n]" in shown.output
    assert "Products minus one." in shown.output
    assert CliRunner().invoke(main, ["inspect", str(tmp_path)]).exit_code == 1
    script = ("import numpy as np, fast_model\n"
              "x = np.array([1, 2, 3], np.float32); y = np.array([4, 5, -6], np.float32)\n"
              "print(np.asarray(fast_model.f(x, y)).tolist())\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=str(out.parent),
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str([1 * 4 - 1.0, 2 * 5 - 1.0, 3 * -6 - 1.0])


def test_binary_object_code_needs_an_output_file(tmp_path):
    model = write(tmp_path / "model.py", """
        import nxc as nx

        @nx.defn
        def f(x: nx.f32):
            return x
    """)
    result = compile_cli(model, "--emit", "obj")
    assert result.exit_code == 2 and "name the file with -o" in result.output
    obj = tmp_path / "model.o"
    assert compile_cli(model, "--emit", "obj", "-o", str(obj)).exit_code == 0
    assert obj.read_bytes()[:4] == b"\x7fELF"


def test_the_pipeline_simplifies_and_prints_the_ir_after_a_pass(tmp_path):
    model = write(tmp_path / "model.py", """
        import nxc as nx

        @nx.defn
        def f(x: nx.f32[3]):
            unused = nx.sin(x)
            return nx.exp(x * 1.0) + nx.exp(x * 1.0)
    """)
    nxc = os.path.join(os.path.dirname(sys.executable), "nxc")
    cmd = [nxc, "compile", str(model), "--emit", "ir"]
    run = subprocess.run(cmd + ["--print-ir-after=simplify"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    # DCE drops the sine, identities the multiplications by 1, CSE the second exp.
    ops = [line.split("=")[1].split("(")[0].strip() for line in run.stdout.splitlines()
           if " = " in line]
    assert ops == ["exp", "add"]
    assert run.stderr.startswith("// IR after simplify\nfunc @f(%x: f32[3]) -> f32[3]")
    assert run.stderr.split("\n", 1)[1].strip() == run.stdout.strip()


def test_an_unknown_pass_is_a_usage_error_that_lists_the_passes(tmp_path):
    model = write(tmp_path / "model.py", """
        import nxc as nx

        @nx.defn
        def f(x: nx.f32):
            return x
    """)
    result = compile_cli(model, "--emit", "ir", "--print-ir-after=grad")
    assert result.exit_code == 2
    assert "Usage: " in result.output and " compile [OPTIONS] FILE" in result.output
    assert "--print-ir-after names unknown pass(es) ['grad']; the pipeline runs ['simplify']" \
        in result.output


class _Terminal:
    """A stream that says it is a terminal, to see what a user would see."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_progress_shows_stages_on_a_terminal_after_a_delay(monkeypatch):
    import time

    from nxc.cli.compile import Progress
    monkeypatch.setattr(Progress, "DELAY", 0.05)
    term = _Terminal()
    with Progress("model.py", term) as p:
        time.sleep(0.3)
        p.stage("generating native code")
    assert "nxc: model.py: reading the model" in term.text
    assert "nxc: model.py: generating native code..." in term.text
    assert term.text.endswith("\r\x1b[K")  # the line is cleared at the end

    quick = _Terminal()
    with Progress("model.py", quick) as p:
        p.stage("generating native code")
    assert quick.text == ""  # fast compiles show nothing


def test_progress_is_silent_when_piped(monkeypatch):
    import io
    import time

    from nxc.cli.compile import Progress
    monkeypatch.setattr(Progress, "DELAY", 0.05)
    out = io.StringIO()
    with Progress("model.py", out) as p:
        time.sleep(0.3)
        p.stage("generating native code")
    assert out.getvalue() == ""
