package dev.postroom.spring;

import org.junit.jupiter.api.Test;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepository;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.configurationmetadata.ValueHint;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metadata IDEs complete {@code postroom.*} from: generated from {@link PostroomProperties}
 * and its Javadoc by Spring Boot's configuration processor, with the hints of
 * {@code additional-spring-configuration-metadata.json} merged in.
 */
class ConfigurationMetadataTest {

    private static Map<String, ConfigurationMetadataProperty> properties() throws IOException {
        try (InputStream json = ConfigurationMetadataTest.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(json).as("META-INF/spring-configuration-metadata.json on the class path").isNotNull();
            ConfigurationMetadataRepository repository = ConfigurationMetadataRepositoryJsonBuilder.create(json).build();
            return repository.getAllProperties();
        }
    }

    @Test
    void everySettingHasADescriptionFromItsJavadoc() throws IOException {
        Map<String, ConfigurationMetadataProperty> properties = properties();

        assertThat(properties).containsKeys("postroom.enabled", "postroom.store", "postroom.node", "postroom.shutdown-timeout",
                "postroom.sqlite.data-dir", "postroom.sqlite.durability", "postroom.postgres.schema",
                "postroom.health.stale-after", "postroom.queues");
        assertThat(properties.values()).allSatisfy(property ->
                assertThat(property.getDescription()).as(property.getId()).isNotBlank());
        assertThat(properties.get("postroom.store").getDescription()).startsWith("Where Postroom keeps its messages");
        assertThat(properties.get("postroom.sqlite.data-dir").getDescription()).contains("Directory of the embedded store's file");
    }

    @Test
    void defaultsAreListed() throws IOException {
        Map<String, ConfigurationMetadataProperty> properties = properties();

        assertThat(properties.get("postroom.store").getDefaultValue()).isEqualTo("sqlite");
        assertThat(properties.get("postroom.sqlite.data-dir").getDefaultValue()).isEqualTo("./postroom-data");
        assertThat(properties.get("postroom.shutdown-timeout").getDefaultValue()).isEqualTo("30s");
        assertThat(properties.get("postroom.health.stale-after").getDefaultValue()).isEqualTo("5m");
    }

    @Test
    void theStoreHasAHintPerValue() throws IOException {
        assertThat(properties().get("postroom.store").getHints().getValueHints())
                .extracting(ValueHint::getValue).containsExactly("sqlite", "postgres");
    }
}
