import pytest

from src.core.base import AgentCore, AgentState, EchoAgent
from src.core.base.agent_delegator import AgentDelegator
from src.core.base.agent_state_manager import AgentStateManager
from src.core.base.graceful_shutdown import ShutdownCoordinator
from src.core.base.base_exceptions import (
    AgentNotFoundError,
    ConfigurationError,
    CommandRejectedError,
    InvalidStateTransition,
    ShutdownInProgressError,
)


def test_dispatch_spawns_lazily_and_records_history():
    core = AgentCore()
    assert core.dispatch("echo", "ping") == "ping"
    agent = core.agents["echo"]
    assert isinstance(agent, EchoAgent)
    assert [t.role for t in agent.state.history.last(2)] == ["user", "agent"]
    assert core.metrics.snapshot()["messages"] == 1
    assert [e.kind for e in core.events.history] == ["started", "replied"]


def test_shutdown_stops_agents_in_reverse_order_and_blocks_spawning():
    core = AgentCore()
    core.spawn("echo")
    core.spawn("upper")
    assert core.shutdown() == ["upper", "echo"]
    assert core.agents["echo"].state.state is AgentState.STOPPED
    with pytest.raises(ShutdownInProgressError):
        core.spawn("shell")
    assert core.shutdown() == []  # idempotent


def test_delegation_by_capability_uses_child_context():
    core = AgentCore()
    core.spawn("upper")
    reply = core.delegator.delegate("hi", "shout")
    assert reply.startswith("[req-") and reply.endswith("/upper@1] HI")  # child context is one level deeper
    assert core.delegator.delegations == [("shout", "upper")]


def test_registry_factory_must_produce_a_message_handler():
    core = AgentCore()
    core.registry.register("broken", lambda config: object())
    with pytest.raises(ConfigurationError):
        core.spawn("broken")


def test_shutdown_coordinator_runs_lifecycle_components_and_survives_errors():
    coordinator = ShutdownCoordinator()
    agent = EchoAgent()
    coordinator.register_component("echo", agent)
    coordinator.register("flaky", lambda: 1 / 0)
    assert coordinator.shutdown() == ["echo"]
    assert agent.state.state is AgentState.STOPPED
    assert [name for name, _ in coordinator.errors] == ["flaky"]
    with pytest.raises(TypeError):
        ShutdownCoordinator().register_component("x", object())


def test_standalone_delegator_breaks_the_import_cycle():
    delegator = AgentDelegator.standalone()
    assert delegator.delegate("x", "echo") == "x"
    with pytest.raises(AgentNotFoundError):
        delegator.choose("teleport")


def test_command_agent_notes_and_policy():
    core = AgentCore()
    assert core.dispatch("shell", "/note colour blue") == "noted colour"
    assert core.dispatch("shell", "/recall colour") == "blue"
    with pytest.raises(CommandRejectedError):
        core.dispatch("shell", "/run rm -rf /")
    assert core.metrics.snapshot()["errors"] == 1


def test_state_machine_rejects_illegal_transition_and_round_trips():
    manager = AgentStateManager("a")
    with pytest.raises(InvalidStateTransition):
        manager.transition(AgentState.RUNNING)
    manager.transition(AgentState.IDLE)
    manager.history.add("user", "hello")
    manager.scratchpad.write("k", [1, 2])
    restored = AgentStateManager.restore(manager.snapshot())
    assert restored.state is AgentState.IDLE
    assert restored.history.to_transcript() == "user: hello"
    assert restored.scratchpad.read("k") == [1, 2]
