"""The import pipeline: extract (adapters) → normalize → deduplicate → enrich → validate → index.

``catalog.pipeline.run.import_run_execute`` drives one distributor's run; each stage lives in its
own module and is a plain function over the dataclasses of ``catalog.pipeline.types``."""
