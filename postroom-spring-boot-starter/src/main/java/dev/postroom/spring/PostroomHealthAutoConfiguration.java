package dev.postroom.spring;

import dev.postroom.Postroom;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code postroom} health indicator ({@link PostroomHealthIndicator}), when Spring Boot's
 * health module is on the class path; off with {@code management.health.postroom.enabled=false}.
 */
@AutoConfiguration(after = PostroomAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Postroom.class)
@ConditionalOnEnabledHealthIndicator("postroom")
@EnableConfigurationProperties(PostroomProperties.class)
public class PostroomHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "postroomHealthIndicator")
    PostroomHealthIndicator postroomHealthIndicator(Postroom postroom, PostroomProperties properties) {
        return new PostroomHealthIndicator(postroom, properties.getHealth().getStaleAfter());
    }
}
