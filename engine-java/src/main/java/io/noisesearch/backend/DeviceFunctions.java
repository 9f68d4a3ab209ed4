package io.noisesearch.backend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.function.Consumer;

/**
 * The device-resource functions of one library (devices, memory, copies, events, CUDA graphs), bound once. Every
 * resource comes back as a segment tied to a caller's arena with its destructor ({@code reinterpret(arena,
 * free)}): closing the arena releases it. On the host library, memory, copies and events work on host memory and
 * the device queries and graphs fail with status 3 (unsupported), see noisesearch.h.
 */
final class DeviceFunctions {

    /** Properties of one device. */
    record DeviceInfo(int index, String name, long totalBytes, int major, int minor) {
        String describe() {
            return name + " (device " + index + ", sm_" + major + minor + ", " + (totalBytes >> 20) + " MiB)";
        }
    }

    /** Free and total memory of the current device. */
    record DeviceMemory(long freeBytes, long totalBytes) {
    }

    private final NativeLibrary library;
    private final MethodHandle deviceCount;
    private final MethodHandle deviceProperties;
    private final MethodHandle deviceSelect;
    private final MethodHandle deviceSynchronize;
    private final MethodHandle deviceMemory;
    private final MethodHandle deviceMalloc;
    private final MethodHandle deviceFree;
    private final MethodHandle hostMalloc;
    private final MethodHandle hostFree;
    private final MethodHandle copyToDevice;
    private final MethodHandle copyToDeviceFromHeap;
    private final MethodHandle copyToHost;
    private final MethodHandle copyOnDevice;
    private final MethodHandle memset;
    private final MethodHandle eventCreate;
    private final MethodHandle eventRecord;
    private final MethodHandle eventSynchronize;
    private final MethodHandle eventElapsed;
    private final MethodHandle eventDestroy;
    private final MethodHandle graphBeginCapture;
    private final MethodHandle graphEndCapture;
    private final MethodHandle graphInstantiate;
    private final MethodHandle graphLaunch;
    private final MethodHandle graphDestroy;
    private final MethodHandle graphExecDestroy;

    private static final class Host {
        static final DeviceFunctions FUNCTIONS = new DeviceFunctions(NativeLibrary.host());
    }

    private static final class Cuda {
        static final DeviceFunctions FUNCTIONS = new DeviceFunctions(NativeLibrary.cuda().orElseThrow());
    }

    static DeviceFunctions host() {
        return Host.FUNCTIONS;
    }

    /** Only once {@link NativeLibrary#cuda()} is known to be present. */
    static DeviceFunctions cuda() {
        return Cuda.FUNCTIONS;
    }

    private DeviceFunctions(NativeLibrary library) {
        this.library = library;
        deviceCount = library.function("ns_device_count", false, ADDRESS);
        deviceProperties = library.function("ns_device_properties", false,
                JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS);
        deviceSelect = library.function("ns_device_select", false, JAVA_INT);
        deviceSynchronize = library.function("ns_device_synchronize", false);
        deviceMemory = library.function("ns_device_memory", false, ADDRESS, ADDRESS);
        deviceMalloc = library.function("ns_device_malloc", false, JAVA_LONG, ADDRESS);
        deviceFree = library.function("ns_device_free", false, ADDRESS);
        hostMalloc = library.function("ns_host_malloc", false, JAVA_LONG, ADDRESS);
        hostFree = library.function("ns_host_free", false, ADDRESS);
        copyToDevice = library.function("ns_memcpy_h2d", false, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        // A pageable source is consumed before cudaMemcpyAsync returns, so a Java array can be the source of a
        // critical call; kept to the small arrays of kernel arguments.
        copyToDeviceFromHeap = library.function("ns_memcpy_h2d", true, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        copyToHost = library.function("ns_memcpy_d2h", false, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        copyOnDevice = library.function("ns_memcpy_d2d", false, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        memset = library.function("ns_memset", false, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG);
        eventCreate = library.function("ns_event_create", false, ADDRESS);
        eventRecord = library.function("ns_event_record", false, ADDRESS, ADDRESS);
        eventSynchronize = library.function("ns_event_synchronize", false, ADDRESS);
        eventElapsed = library.function("ns_event_elapsed", false, ADDRESS, ADDRESS, ADDRESS);
        eventDestroy = library.function("ns_event_destroy", false, ADDRESS);
        graphBeginCapture = library.function("ns_graph_begin_capture", false, ADDRESS);
        graphEndCapture = library.function("ns_graph_end_capture", false, ADDRESS, ADDRESS);
        graphInstantiate = library.function("ns_graph_instantiate", false, ADDRESS, ADDRESS);
        graphLaunch = library.function("ns_graph_launch", false, ADDRESS, ADDRESS);
        graphDestroy = library.function("ns_graph_destroy", false, ADDRESS);
        graphExecDestroy = library.function("ns_graph_exec_destroy", false, ADDRESS);
    }

    NativeLibrary library() {
        return library;
    }

    int deviceCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            call("ns_device_count", () -> (int) deviceCount.invokeExact(count));
            return count.get(JAVA_INT, 0);
        }
    }

    DeviceInfo properties(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(256);
            MemorySegment total = arena.allocate(JAVA_LONG);
            MemorySegment major = arena.allocate(JAVA_INT);
            MemorySegment minor = arena.allocate(JAVA_INT);
            call("ns_device_properties", () -> (int) deviceProperties.invokeExact(device, name, name.byteSize(),
                    total, major, minor));
            return new DeviceInfo(device, name.getString(0), total.get(JAVA_LONG, 0), major.get(JAVA_INT, 0),
                    minor.get(JAVA_INT, 0));
        }
    }

    /** Makes the device current on the calling thread (CUDA's current device is per thread). */
    void select(int device) {
        call("ns_device_select", () -> (int) deviceSelect.invokeExact(device));
    }

    /** Waits for every stream of the current device. */
    void synchronizeDevice() {
        call("ns_device_synchronize", () -> (int) deviceSynchronize.invokeExact());
    }

    DeviceMemory memory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment free = arena.allocate(JAVA_LONG);
            MemorySegment total = arena.allocate(JAVA_LONG);
            call("ns_device_memory", () -> (int) deviceMemory.invokeExact(free, total));
            return new DeviceMemory(free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0));
        }
    }

    /**
     * {@code bytes} of device memory owned by {@code arena}; {@code released} runs after it is freed. Java must
     * never read or write the segment: it only carries the address and the size.
     */
    MemorySegment allocateDevice(Arena arena, long bytes, Runnable released) {
        MemorySegment address = allocate(deviceMalloc, "ns_device_malloc", bytes);
        return address.reinterpret(bytes, arena, freeing(deviceFree, "ns_device_free", released));
    }

    /** Page-locked host memory (CUDA) for asynchronous copies, owned by {@code arena}; readable from Java. */
    MemorySegment allocatePinned(Arena arena, long bytes) {
        MemorySegment address = allocate(hostMalloc, "ns_host_malloc", bytes);
        return address.reinterpret(bytes, arena, freeing(hostFree, "ns_host_free", () -> { }));
    }

    void copyToDevice(MemorySegment stream, MemorySegment dst, MemorySegment src, long bytes) {
        MethodHandle copy = src.isNative() ? copyToDevice : copyToDeviceFromHeap;
        call("ns_memcpy_h2d", () -> (int) copy.invokeExact(stream, dst, src, bytes));
    }

    /** The destination is complete after the stream is synchronized. */
    void copyToHost(MemorySegment stream, MemorySegment dst, MemorySegment src, long bytes) {
        call("ns_memcpy_d2h", () -> (int) copyToHost.invokeExact(stream, dst, src, bytes));
    }

    void copyOnDevice(MemorySegment stream, MemorySegment dst, MemorySegment src, long bytes) {
        call("ns_memcpy_d2d", () -> (int) copyOnDevice.invokeExact(stream, dst, src, bytes));
    }

    void fill(MemorySegment stream, MemorySegment dst, int value, long bytes) {
        call("ns_memset", () -> (int) memset.invokeExact(stream, dst, value, bytes));
    }

    MemorySegment event(Arena arena) {
        return handle(arena, eventCreate, "ns_event_create", eventDestroy, "ns_event_destroy");
    }

    void record(MemorySegment stream, MemorySegment event) {
        call("ns_event_record", () -> (int) eventRecord.invokeExact(stream, event));
    }

    void synchronize(MemorySegment event) {
        call("ns_event_synchronize", () -> (int) eventSynchronize.invokeExact(event));
    }

    /** Milliseconds between two recorded events (waits for {@code end}). */
    float elapsedMillis(MemorySegment start, MemorySegment end) {
        synchronize(end);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment millis = arena.allocate(JAVA_FLOAT);
            call("ns_event_elapsed", () -> (int) eventElapsed.invokeExact(start, end, millis));
            return millis.get(JAVA_FLOAT, 0);
        }
    }

    /** Calls issued on the stream from now on are recorded, not run, until {@link #endCapture}. */
    void beginCapture(MemorySegment stream) {
        call("ns_graph_begin_capture", () -> (int) graphBeginCapture.invokeExact(stream));
    }

    /** The captured graph, owned by {@code arena}. */
    MemorySegment endCapture(MemorySegment stream, Arena arena) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment out = scratch.allocate(ADDRESS);
            call("ns_graph_end_capture", () -> (int) graphEndCapture.invokeExact(stream, out));
            return out.get(ADDRESS, 0).reinterpret(arena, freeing(graphDestroy, "ns_graph_destroy", () -> { }));
        }
    }

    /** An executable instance of the graph, owned by {@code arena}. */
    MemorySegment instantiate(MemorySegment graph, Arena arena) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment out = scratch.allocate(ADDRESS);
            call("ns_graph_instantiate", () -> (int) graphInstantiate.invokeExact(graph, out));
            return out.get(ADDRESS, 0).reinterpret(arena,
                    freeing(graphExecDestroy, "ns_graph_exec_destroy", () -> { }));
        }
    }

    void launch(MemorySegment stream, MemorySegment exec) {
        call("ns_graph_launch", () -> (int) graphLaunch.invokeExact(stream, exec));
    }

    private MemorySegment allocate(MethodHandle malloc, String function, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(function + ": negative size " + bytes);
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment out = scratch.allocate(ADDRESS);
            call(function, () -> (int) malloc.invokeExact(bytes, out));
            return out.get(ADDRESS, 0);
        }
    }

    private MemorySegment handle(Arena arena, MethodHandle create, String createName, MethodHandle destroy,
                                 String destroyName) {
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment out = scratch.allocate(ADDRESS);
            call(createName, () -> (int) create.invokeExact(out));
            return out.get(ADDRESS, 0).reinterpret(arena, freeing(destroy, destroyName, () -> { }));
        }
    }

    /** The arena's cleanup: a failed free is a device fault, reported like any other status. */
    private Consumer<MemorySegment> freeing(MethodHandle free, String function, Runnable released) {
        return segment -> {
            call(function, () -> (int) free.invokeExact(segment));
            released.run();
        };
    }

    private void call(String function, NativeKernels.Downcall downcall) {
        int status;
        try {
            status = downcall.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(function + " threw " + t, t);
        }
        library.check(status, function);
    }
}
