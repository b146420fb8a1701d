"""Write-side services of the engineering app (keyword-only `<entity>_<verb>` functions)."""
