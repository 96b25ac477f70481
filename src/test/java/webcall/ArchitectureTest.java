package webcall;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;

/**
 * The package rules of ARCHITECTURE.md, checked on the production classes at every {@code mvn
 * test}. Each rule says what it protects; a rule that fails names the class and the dependency that
 * broke it. There is no frozen list of accepted violations: a violation is fixed, or the rule is
 * changed here, in the open.
 */
@AnalyzeClasses(packages = "webcall", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /**
   * Every feature package can be understood, tested and changed from its dependencies down, never
   * in a loop.
   */
  @ArchTest
  static final ArchRule packagesHaveNoCycles =
      slices().matching("webcall.(*)..").namingSlices("$1").should().beFreeOfCycles();

  /**
   * The public seam of {@code webcall.socketio}: what a Socket.IO application sees ({@code
   * SocketIoHandler}, {@code Socket}, {@code Ack}, {@code Outgoing}, {@code DisconnectReason}) and
   * what the wiring builds ({@code EngineIoServer}, {@code SocketIoServer}, {@code
   * SocketIoOptions}, {@code EngineHandler}, {@code SocketIoMetrics}). The wire format ({@code
   * Parser}, {@code Packet}, {@code PacketType}, {@code Frame}), the sessions and transports
   * ({@code EngineSession}, {@code EngineWebSocket}) and their errors stay inside.
   */
  static final Set<String> SOCKETIO_SEAM =
      Set.of(
          "SocketIoHandler",
          "Socket",
          "Ack",
          "Outgoing",
          "DisconnectReason",
          "EngineIoServer",
          "SocketIoServer",
          "SocketIoOptions",
          "EngineHandler",
          "SocketIoMetrics");

  @ArchTest
  static final ArchRule onlySocketIoKnowsItsWireFormat =
      noClasses()
          .that()
          .resideOutsideOfPackage("webcall.socketio..")
          .should()
          .dependOnClassesThat(
              inPackage("webcall.socketio")
                  .and(not(topLevelNamed("webcall.socketio", SOCKETIO_SEAM))))
          .because(
              "only webcall.socketio knows the Engine.IO and Socket.IO wire format; others use its seam");

  /**
   * Rooms are about who is where: they speak through RoomEvents and the socketio seam, never to a
   * channel.
   */
  @ArchTest
  static final ArchRule roomsUseNoNetty =
      noClasses()
          .that()
          .resideInAPackage("webcall.rooms..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.netty..")
          .because(
              "room membership and signaling must work behind any transport (RoomEvents, the socketio seam)");

  /**
   * The PeerJS classes that touch a socket: its handler ({@code PeerSocketHandler}), the socket as
   * a {@code PeerLink} ({@code ChannelPeerLink}, which writes and closes it), the fragment cap in
   * its pipeline ({@code FragmentLimit}), the HTTP side and upgrade ({@code PeerJsEndpoint}) and
   * the standalone bootstrap ({@code PeerJsServer}). The ids, queues and relay ({@code Realm},
   * {@code PeerClient}, the registry, the queue and their in-memory versions) see only {@code
   * PeerLink}, so that a shared store or another transport can stand behind them; the rest ({@code
   * ClientMessage}, {@code PeerIds}, {@code MessageType}, {@code Rejection}, the options and
   * meters) is plain Java too.
   */
  static final Set<String> PEERJS_SOCKET_CLASSES =
      Set.of(
          "PeerSocketHandler",
          "ChannelPeerLink",
          "FragmentLimit",
          "PeerJsEndpoint",
          "PeerJsServer");

  @ArchTest
  static final ArchRule peerJsUsesNettyOnlyInItsSocketClasses =
      noClasses()
          .that()
          .resideInAPackage("webcall.peerjs..")
          .and(not(topLevelNamed("webcall.peerjs", PEERJS_SOCKET_CLASSES)))
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.netty..")
          .because(
              "PeerJS ids, queues, relaying and limits are plain Java; only its socket classes touch Netty");

  /**
   * The components, each made once per server by the wiring: {@code Main} and {@code PeerJsCommand}
   * (the root package) and {@code webcall.server} for the call server, {@code PeerJsServer} for the
   * standalone PeerJS server. A component never builds another behind the wiring's back (tests may
   * build them as they like).
   */
  static final Set<String> COMPONENTS =
      Set.of(
          "webcall.server.WebcallServer",
          "webcall.server.WebcallChannelInitializer",
          "webcall.server.RedirectListener",
          "webcall.server.HttpRouter",
          "webcall.http.StaticFiles",
          "webcall.http.ConnectionLimit",
          "webcall.http.OriginPolicy",
          "webcall.peerjs.PeerJsEndpoint",
          "webcall.peerjs.PeerJsServer",
          "webcall.rooms.InMemoryRoomDirectory",
          "webcall.rooms.RoomSignaling",
          "webcall.socketio.EngineIoServer",
          "webcall.socketio.SocketIoServer",
          "webcall.ice.IceApi",
          "webcall.ice.StunServer",
          "webcall.ops.AdminListener",
          "webcall.ops.Readiness");

  @ArchTest
  static final ArchRule onlyTheWiringBuildsComponents =
      classes().that(fullyNamed(COMPONENTS)).should(beConstructedOnlyByTheWiring());

  /**
   * Where the PeerJS state lives (in memory today, a shared store for a cluster) is the commands'
   * choice: its parts are built in the root package ({@code PeerJsState}), never inside {@code
   * WebcallServer} or {@code PeerJsServer}, which take the {@code Realm} they are given.
   */
  static final Set<String> PEERJS_STATE =
      Set.of(
          "webcall.peerjs.Realm",
          "webcall.peerjs.Relay",
          "webcall.peerjs.InMemoryPeerRegistry",
          "webcall.peerjs.InMemoryOfflineQueue",
          "webcall.cluster.RedisPeerRegistry",
          "webcall.cluster.RedisOfflineQueue",
          "webcall.cluster.NodeBus",
          "webcall.cluster.NodeLease");

  @ArchTest
  static final ArchRule onlyTheCommandsChooseThePeerJsState =
      classes()
          .that(
              DescribedPredicate.describe(
                  "the PeerJS state's parts " + PEERJS_STATE,
                  c -> PEERJS_STATE.contains(c.getName())))
          .should(beConstructedOnlyInTheRootPackage());

  /**
   * Where the rooms are kept is the commands' choice too ({@code RoomsState}): {@code
   * WebcallServer} takes the {@code RoomDirectory} it is given.
   */
  @ArchTest
  static final ArchRule onlyTheCommandsChooseTheRoomDirectory =
      classes()
          .that()
          .haveFullyQualifiedName("webcall.rooms.InMemoryRoomDirectory")
          .or()
          .haveFullyQualifiedName("webcall.cluster.RedisRoomDirectory")
          .or()
          .haveFullyQualifiedName("webcall.cluster.RedisRoomEvents")
          .or()
          .haveFullyQualifiedName("webcall.cluster.RedisPeerCheck")
          .or()
          .haveFullyQualifiedName("webcall.cluster.RoomsLease")
          .should(beConstructedOnlyInTheRootPackage());

  private static ArchCondition<JavaClass> beConstructedOnlyInTheRootPackage() {
    return new ArchCondition<>("be constructed only in the root package webcall (or by itself)") {
      @Override
      public void check(JavaClass part, ConditionEvents events) {
        for (JavaConstructorCall call : part.getConstructorCallsToSelf()) {
          JavaClass origin = outermost(call.getOriginOwner());
          if (!origin.getPackageName().equals("webcall") && !origin.equals(part)) {
            events.add(SimpleConditionEvent.violated(call, call.getDescription()));
          }
        }
      }
    };
  }

  /**
   * The subcommand names no more than its own parts: shared start-up code lives in a class of its
   * own.
   */
  @ArchTest
  static final ArchRule peerJsCommandDoesNotDependOnMain =
      noClasses()
          .that()
          .haveFullyQualifiedName("webcall.PeerJsCommand")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("webcall.Main");

  private static DescribedPredicate<JavaClass> inPackage(String pkg) {
    return DescribedPredicate.describe("in " + pkg, c -> c.getPackageName().equals(pkg));
  }

  /**
   * The class, or the class it is nested in, is one of these (a lambda or an inner class belongs to
   * its outer class).
   */
  private static DescribedPredicate<JavaClass> topLevelNamed(String pkg, Set<String> simpleNames) {
    return DescribedPredicate.describe(
        "one of " + pkg + "." + simpleNames,
        c -> c.getPackageName().equals(pkg) && simpleNames.contains(outermost(c).getSimpleName()));
  }

  private static DescribedPredicate<JavaClass> fullyNamed(Set<String> names) {
    return DescribedPredicate.describe("components " + names, c -> names.contains(c.getName()));
  }

  private static JavaClass outermost(JavaClass c) {
    JavaClass outer = c;
    while (outer.getEnclosingClass().isPresent()) {
      outer = outer.getEnclosingClass().get();
    }
    return outer;
  }

  private static boolean isWiring(JavaClass origin) {
    JavaClass c = outermost(origin);
    return c.getPackageName().equals("webcall")
        || c.getPackageName().equals("webcall.server")
        || c.getName().equals("webcall.peerjs.PeerJsServer");
  }

  private static ArchCondition<JavaClass> beConstructedOnlyByTheWiring() {
    return new ArchCondition<>(
        "be constructed only by the wiring (webcall, webcall.server, PeerJsServer) or itself") {
      @Override
      public void check(JavaClass component, ConditionEvents events) {
        for (JavaConstructorCall call : component.getConstructorCallsToSelf()) {
          JavaClass origin = call.getOriginOwner();
          boolean ok = isWiring(origin) || outermost(origin).equals(component);
          if (!ok) {
            events.add(SimpleConditionEvent.violated(call, call.getDescription()));
          }
        }
      }
    };
  }
}
