namespace MtlPortal.Mcp;

/// <summary>What the server tells a client at the handshake: how the four tools fit into a task.</summary>
public static class ServerText
{
    public const string Instructions = """
        MTL Portal serves a team's reviewed memories: lessons from earlier coding tasks, mostly short abstract insights about procedure (verify with tests, iterate, adapt to the environment).
        1. At the start of a coding task, call search_memories with a description of the task. Treat the prompt block it returns as guidance: apply the general procedure, not the specific names or values of the task it came from.
        2. When the task is done, call report_outcome with the search's retrievalId, success or failure, and the ids of the memories you used.
        3. If the task taught you a general lesson, submit it with submit_memory (kind insight); it is reviewed before anyone is served it.
        """;
}
