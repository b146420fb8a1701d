"""Engineering: utilities, tariffs, irradiation, sizing, viability, financing and engineers."""
