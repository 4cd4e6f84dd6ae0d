"""Official documents in the process: issued at their steps, archived, listed, downloaded and verified.

The pure package ``documents`` renders and seals the PDFs; this package decides when a document is
issued (``issue``), fills it from the instance (``content``), keeps it (table ``issued_document``
and the file store), shows it to those who may see the project (``archive``) and answers whether an
uploaded copy is one the system issued (``verification``). The key comes from ``keys``.
"""
