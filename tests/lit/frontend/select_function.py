# --function NAME (repeatable) picks functions; without it every fully
# annotated @defn is compiled and the others (typed by their callers) are not.
# RUN: %nxc compile %s --emit ir | FileCheck %s --check-prefix=ALL
# RUN: %nxc compile %s --emit ir --function second | FileCheck %s --check-prefix=ONE
# RUN: %nxc compile %s --emit ir --function second --function first | FileCheck %s --check-prefix=TWO
import nxc as nx


# ALL: func @first
# ONE-NOT: func @first
@nx.defn
def first(x: nx.f32):
    return x


# ALL-NOT: func @untyped
@nx.defn
def untyped(x):
    return x


# ALL: func @second
# ONE: func @second
# TWO: func @second
# TWO: func @first
@nx.defn
def second(x: nx.f32):
    return untyped(x)


def not_a_defn(x: nx.f32):
    return x
# ALL-NOT: func @not_a_defn
