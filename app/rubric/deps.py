"""The rubrics as a FastAPI dependency: the loaded rubrics and their stored versions."""

from typing import Annotated

from fastapi import Depends, Request

from app.rubric.store import RubricRegistry


async def get_registry(request: Request) -> RubricRegistry:
    """The loaded rubrics and the stored versions (async: no worker-thread hop)."""
    registry: RubricRegistry = request.app.state.registry
    return registry


RegistryDep = Annotated[RubricRegistry, Depends(get_registry)]
