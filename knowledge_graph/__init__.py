"""Banking knowledge: a typed networkx graph and a faiss FAQ index that answer with their sources."""
