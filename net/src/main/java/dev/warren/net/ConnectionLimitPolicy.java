package dev.warren.net;

/** What a {@link TcpServer} does with new connections while it already serves its maximum. */
public enum ConnectionLimitPolicy {
    /**
     * Stop accepting until a slot frees; new connections wait in the kernel's listen backlog (and are
     * refused or dropped by the kernel when the backlog is full).
     */
    WAIT,
    /** Accept and close the new connection at once, counted under {@link CloseReason#LIMIT}. */
    CLOSE
}
