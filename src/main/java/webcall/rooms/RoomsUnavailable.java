package webcall.rooms;

/**
 * A shared {@link RoomDirectory} cannot answer now (its store is down or too contended): the
 * request gets {@code unavailable}, and nothing changed. The in-memory directory never throws it.
 */
public final class RoomsUnavailable extends RuntimeException {
  public RoomsUnavailable(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
