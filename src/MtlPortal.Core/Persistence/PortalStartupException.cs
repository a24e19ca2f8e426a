namespace MtlPortal.Persistence;

/// <summary>A start-up failure whose message alone tells the operator what to do; it is printed without a stack trace.</summary>
public sealed class PortalStartupException(string message, Exception? inner = null) : Exception(message, inner);
