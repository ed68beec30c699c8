"""Templates: a notebook in ``notebooks/`` and its glue module here, named alike.

A template is a parameterised notebook (``notebooks/before-after.ipynb``)
and one module of this package (``whatworks.templates.before_after``) with
the same three calls every template makes: ``load(ev) -> inputs`` (every
input check; what ``whatworks validate`` runs), ``analyse(inputs, ev) ->
Result``, and, in the notebook's last cell, ``ww.emit(ev, result)``. The
registry (:mod:`.catalogue`) reads the notebooks' metadata and serves the
command line, validation and the package namespace (``ww.before_after``).
"""

from .catalogue import COMMON_KEYS, Registry, Template, load_template, project_root, registry

__all__ = ["Template", "Registry", "registry", "load_template", "project_root", "COMMON_KEYS"]
