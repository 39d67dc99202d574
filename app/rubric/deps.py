"""The rubrics as a FastAPI dependency: the loaded rubrics and their stored versions."""

from typing import Annotated

from fastapi import Depends, Request

from app.core.deps import reads_request
from app.rubric.store import RubricRegistry


def _registry_of(request: Request) -> RubricRegistry:
    registry: RubricRegistry = request.app.state.registry
    return registry


@reads_request(_registry_of)
async def get_registry(request: Request) -> RubricRegistry:
    """The loaded rubrics and the stored versions (an `ApiRoute` reads them itself)."""
    return _registry_of(request)


RegistryDep = Annotated[RubricRegistry, Depends(get_registry)]
