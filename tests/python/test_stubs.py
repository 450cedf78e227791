"""The type stubs match the module: every public name and member of
starlog._starlog is in _starlog.pyi and the stubs name nothing the module
lacks; __init__.pyi re-exports what __init__.py does."""

import ast
import inspect
import os

import starlog
import starlog._starlog as ext

STUB_DIR = os.path.dirname(starlog.__file__)


def stub_tree(name):
    with open(os.path.join(STUB_DIR, name)) as f:
        return ast.parse(f.read())


def stub_classes_and_functions(tree):
    classes, functions = {}, set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            members = set()
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    members.add(item.name)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    members.add(item.target.id)
            classes[node.name] = members
        elif isinstance(node, ast.FunctionDef):
            functions.add(node.name)
    return classes, functions


def public(names):
    return {n for n in names if not n.startswith("_")}


def test_every_module_name_is_in_the_stub_and_back():
    classes, functions = stub_classes_and_functions(stub_tree("_starlog.pyi"))
    module_names = public(dir(ext))
    assert module_names == set(classes) | functions
    for name in functions:
        assert callable(getattr(ext, name)) and not inspect.isclass(getattr(ext, name))


def test_every_member_of_every_class_is_in_the_stub_and_back():
    classes, _ = stub_classes_and_functions(stub_tree("_starlog.pyi"))
    for name, stub_members in classes.items():
        cls = getattr(ext, name)
        if issubclass(cls, BaseException):
            assert {"code", "message", "retryable"} <= set(dir(cls)), name
            continue
        own = public(vars(cls))
        assert own == public(stub_members), name


def test_stub_signatures_take_the_modules_arguments():
    # pybind11 writes each function's signature first in its docstring.
    classes = {n.name: n for n in stub_tree("_starlog.pyi").body if isinstance(n, ast.ClassDef)}
    for cname, node in classes.items():
        cls = getattr(ext, cname)
        for item in node.body:
            if not isinstance(item, ast.FunctionDef) or item.name.startswith("_"):
                continue
            if isinstance(inspect.getattr_static(cls, item.name), property):
                continue
            doc = getattr(cls, item.name).__doc__
            stub_args = [a.arg for a in item.args.args + item.args.kwonlyargs if a.arg != "self"]
            signature = doc.splitlines()[0]
            for arg in stub_args:
                assert f"{arg}:" in signature, f"{cname}.{item.name}: {arg} not in {signature}"


def test_package_stub_reexports_what_the_package_does():
    tree = stub_tree("__init__.pyi")
    stub_names = {alias.asname or alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
                  for alias in node.names}
    assert stub_names == set(starlog.__all__) | {"IOError"}
    assert os.path.exists(os.path.join(STUB_DIR, "py.typed"))
